// POST /billing/checkout and POST /billing/portal (shared/API.md, seeds/000 "Billing
// Integration", seeds/004 create-checkout-session): a Stripe-hosted page for the caller, on
// the caller's own Stripe customer. Credits are never granted here: only the signed webhook
// fulfils (webhooks_stripe.cpp). Stripe not configured: the 501 noop.
#include <array>

#include "http/base_url.hpp"
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "auth/require.hpp"
#include "billing/customer.hpp"
#include "billing/return_url.hpp"
#include "billing/store.hpp"
#include "core/utf8.hpp"
#include "crypto/sha256.hpp"

namespace ag::api {

namespace {
constexpr std::uint64_t kMaxBody = 16 << 10;
constexpr std::size_t kMaxIdempotencyKey = 255;
// Stripe fills {CHECKOUT_SESSION_ID} in before redirecting.
constexpr std::string_view kSuccessQuery = "checkout=success&session_id={CHECKOUT_SESSION_ID}";
constexpr std::string_view kCancelQuery = "checkout=cancel";
constexpr std::array<std::string_view, 3> kProductFields = {"pack_id", "plan_id", "price_id"};

/// Which of pack_id / plan_id / price_id the body names (exactly one, a non-empty string).
Task<billing::ProductRef> product_ref(Ctx& ctx, const Json& body) {
  billing::ProductRef ref;
  int named = 0;
  for (std::string_view field : kProductFields) {
    if (!body.contains(field)) continue;
    auto value = string_field(body, field);
    if (!value || value->empty() || value->size() > 255)
      co_await ctx.raise(errors::invalid_request(std::string(field) + " must be a string of 1 to 255 characters"));
    ref.field = std::string(field);
    ref.value = std::move(*value);
    ++named;
  }
  if (named != 1) co_await ctx.raise(errors::invalid_request("name exactly one of pack_id, plan_id or price_id"));
  co_return ref;
}

/// The body's `field`, or the default page with `query`; raises 400 unless it is on an
/// allowed origin (CORS_ORIGINS) or the console of this API (`own_base`).
// NOTE: `field` and `query` are literals (static storage): safe to hold across suspensions.
Task<std::string> return_url(Ctx& ctx, const Json& body, std::string_view field, std::string_view query,
                             const std::string& own_base) {
  std::optional<std::string> url;
  if (body.contains(field)) {
    url = string_field(body, field);
    if (!url || !billing::allowed_return_url(ctx.config(), *url, own_base))
      co_await ctx.raise(errors::invalid_request(
          std::string(field) + " must be an http(s) URL on one of the allowed origins, or this API's /console/"));
  } else {
    url = billing::default_return_url(ctx.config(), query);
    if (!url)
      co_await ctx.raise(errors::invalid_request(std::string(field) + " is required: no allowed origin is configured"));
  }
  co_return std::move(*url);
}

/// Stripe's Idempotency-Key for this request: the caller's own key (scoped to the caller and
/// the endpoint, so a retry gets the same session), else a fresh one.
Task<std::string> stripe_idempotency_key(Ctx& ctx, const Request& request, const std::string& user_id,
                                         std::string_view endpoint) {
  auto key = request.header("idempotency-key");
  if (!key) co_return std::string(endpoint) + "-" + ctx.uuid_v4();
  if (key->empty() || code_points(*key) > kMaxIdempotencyKey)
    co_await ctx.raise(errors::invalid_request("Idempotency-Key must be 1 to 255 characters"));
  co_return std::string(endpoint) + "-" + crypto::sha256_hex(user_id + "\n" + std::string(*key));
}
}  // namespace

/// POST /billing/checkout {pack_id | plan_id | price_id, success_url?, cancel_url?}
/// → {"ok":true,"url","session_id"}.
Task<Response> billing_checkout(Ctx& ctx, const Request& request) {
  // Who is calling comes first: an anonymous caller learns nothing of the configuration.
  auth::User user = co_await auth::require_session_user(ctx, request);
  auto settings = stripe::settings(ctx.config());
  if (!settings) co_return http::not_configured("stripe_not_configured");
  Json body = co_await http::read_json_object(ctx, request, kMaxBody);
  billing::ProductRef ref = co_await product_ref(ctx, body);
  stripe::CheckoutSession session;
  std::string own_base = http::public_base_url(ctx.config(), request);
  session.success_url = co_await return_url(ctx, body, "success_url", kSuccessQuery, own_base);
  session.cancel_url = co_await return_url(ctx, body, "cancel_url", kCancelQuery, own_base);
  session.idempotency_key = co_await stripe_idempotency_key(ctx, request, user.id, "checkout");
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
  std::string back = co_await return_url(ctx, body, "return_url", "portal=return", own_base);
  std::string key = co_await stripe_idempotency_key(ctx, request, user.id, "portal");
  std::string customer = co_await billing::ensure_customer(ctx, *settings, user);
  EffectResult reply =
      co_await ctx.perform(effect::fetch(stripe::create_portal_session_request(*settings, customer, back, key)));
  auto created = stripe::parse_created(reply.http_status(), reply.body, true);
  if (!created) co_await billing::raise_stripe_failure(ctx, "portal session", reply);
  co_return json_response(200, {{"ok", true}, {"url", created->url}});
}

}  // namespace ag::api
