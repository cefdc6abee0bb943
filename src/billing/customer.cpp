#include "billing/customer.hpp"

#include "billing/store.hpp"
#include "core/log.hpp"

namespace ag::billing {

Task<> raise_stripe_failure(Ctx& ctx, std::string_view what, const EffectResult& reply) {
  log::warn("stripe call failed", {{"request_id", ctx.request_id()},
                                   {"call", what},
                                   {"status", reply.http_status()},
                                   {"error", reply.failed() ? reply.error_code() : stripe::error_summary(reply.body)}});
  co_await ctx.raise(errors::provider_error("Stripe did not answer the " + std::string(what) + " request"));
}

Task<std::string> ensure_customer(Ctx& ctx, const stripe::Settings& settings, const auth::User& user) {
  std::optional<std::string> known = co_await customer_of(ctx, user.id);
  if (known) co_return std::move(*known);
  EffectResult reply =
      co_await ctx.perform(effect::fetch(stripe::create_customer_request(settings, user.id, user.email)));
  auto created = stripe::parse_created(reply.http_status(), reply.body, false);
  if (!created) co_await raise_stripe_failure(ctx, "customer", reply);
  co_return co_await link_customer(ctx, user.id, created->id);
}

}  // namespace ag::billing
