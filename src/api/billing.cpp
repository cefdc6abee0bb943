// GET /billing/catalog and GET /billing/subscription (shared/API.md "Credits and billing"):
// what can be bought, and the caller's plan. Both read the database only, so they answer
// whether or not Stripe is configured.
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "billing/store.hpp"

namespace ag::api {

/// GET /billing/catalog (public) → {"ok":true,"packs":[...],"plans":[...]}.
Task<Response> billing_catalog(Ctx& ctx, const Request&) {
  std::vector<billing::Product> products = co_await billing::catalog(ctx);
  Json packs = Json::array();
  Json plans = Json::array();
  for (billing::Product& product : products)
    (product.kind == "plan" ? plans : packs).push_back(std::move(product.json));
  co_return json_response(200, {{"ok", true}, {"packs", std::move(packs)}, {"plans", std::move(plans)}});
}

/// GET /billing/subscription (user) → {"ok":true,"subscription":{...}|null}.
Task<Response> billing_subscription(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_session_user(ctx, request);
  Json subscription = co_await billing::current_subscription(ctx, user.id);
  co_return json_response(200, {{"ok", true}, {"subscription", std::move(subscription)}});
}

}  // namespace ag::api
