// POST /billing/checkout and POST /billing/portal (shared/API.md, seeds/000 "Billing
// Integration", seeds/004 create-checkout-session): a Stripe-hosted page for the caller, on
// the caller's own Stripe customer. Credits are never granted here: only the signed webhook
// fulfils (webhooks_stripe.cpp). Stripe not configured: the 501 noop.
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "auth/require.hpp"
#include "billing/checkout_request.hpp"
#include "billing/customer.hpp"
#include "billing/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint64_t kMaxBody = 16 << 10;
// Stripe fills {CHECKOUT_SESSION_ID} in before redirecting.
constexpr std::string_view kSuccessQuery = "checkout=success&session_id={CHECKOUT_SESSION_ID}";
constexpr std::string_view kCancelQuery = "checkout=cancel";
}  // namespace

/// POST /billing/checkout {pack_id | plan_id | price_id, success_url?, cancel_url?}
/// → {"ok":true,"url","session_id"}.
Task<Response> billing_checkout(Ctx& ctx, const Request& request) {
  // Who is calling comes first: an anonymous caller learns nothing of the configuration.
  auth::User user = co_await auth::require_session_user(ctx, request);
  auto settings = stripe::settings(ctx.config());
  if (!settings) co_return http::not_configured("stripe_not_configured");
  Json body = co_await http::read_json_object(ctx, request, kMaxBody);
  billing::ProductRef ref = co_await billing::product_ref(ctx, body);
  stripe::CheckoutSession session;
  std::string own_base = http::public_base_url(ctx.config(), request);
  session.success_url = co_await billing::return_url(ctx, body, "success_url", kSuccessQuery, own_base);
  session.cancel_url = co_await billing::return_url(ctx, body, "cancel_url", kCancelQuery, own_base);
  session.idempotency_key = co_await billing::stripe_idempotency_key(ctx, request, user.id, "checkout");
  auto product = co_await billing::find_product(ctx, ref);
  if (!product) co_await ctx.raise(errors::invalid_request("unknown or disabled " + ref.field));

  session.customer_id = co_await billing::ensure_customer(ctx, *settings, user);
  session.mode = product->kind == "plan" ? "subscription" : "payment";
  session.price_id = product->price_id;
  session.user_id = user.id;
  session.product_id = product->id;
  EffectResult reply = co_await ctx.perform(effect::fetch(stripe::create_checkout_session_request(*settings, session)));
  auto created = stripe::parse_created(reply.http_status(), reply.body, true);
  if (!created) co_await billing::raise_stripe_failure(ctx, "checkout session", reply);
  co_return json_response(200, {{"ok", true}, {"url", created->url}, {"session_id", created->id}});
}

/// POST /billing/portal {return_url?} → {"ok":true,"url"}: Stripe's customer portal.
Task<Response> billing_portal(Ctx& ctx, const Request& request) {
  // Who is calling comes first: an anonymous caller learns nothing of the configuration.
  auth::User user = co_await auth::require_session_user(ctx, request);
  auto settings = stripe::settings(ctx.config());
  if (!settings) co_return http::not_configured("stripe_not_configured");
  // The body is optional here: no body (or an empty one) means the default return page.
  std::string raw = co_await http::read_body(ctx, request, kMaxBody);
  Json body = Json::object();
  if (!raw.empty()) body = co_await http::parse_json_object(ctx, raw);
  std::string own_base = http::public_base_url(ctx.config(), request);
  std::string back = co_await billing::return_url(ctx, body, "return_url", "portal=return", own_base);
  std::string key = co_await billing::stripe_idempotency_key(ctx, request, user.id, "portal");
  std::string customer = co_await billing::ensure_customer(ctx, *settings, user);
  EffectResult reply =
      co_await ctx.perform(effect::fetch(stripe::create_portal_session_request(*settings, customer, back, key)));
  auto created = stripe::parse_created(reply.http_status(), reply.body, true);
  if (!created) co_await billing::raise_stripe_failure(ctx, "portal session", reply);
  co_return json_response(200, {{"ok", true}, {"url", created->url}});
}

}  // namespace ag::api
