// POST /webhooks/stripe (PROTOCOLS.md "Stripe"; shared/API.md): the raw body is verified
// against Stripe-Signature before anything reads it as JSON; then one SQL call records the
// event id (once) and applies the event (migrations/functions/billing.sql). Deliveries repeat and
// arrive out of order: the database keys every effect on the Stripe object. Events this API
// does not act on, and customers it does not know, are 200 too (recorded, nothing changed),
// so Stripe stops retrying them. A failure to apply is a 5xx: Stripe retries for 3 days.
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "billing/invoice_payment.hpp"
#include "billing/signature.hpp"
#include "billing/stripe_event.hpp"
#include "billing/store.hpp"
#include "core/log.hpp"

namespace ag::api {

namespace {
// Stripe's events are far smaller; anything larger is not one of them.
constexpr std::uint64_t kMaxEventBody = 512 << 10;

ApiError invalid_signature(std::string message) {
  ApiError error;
  error.status = 400;
  error.code = "invalid_signature";
  error.message = std::move(message);
  return error;
}
}  // namespace

Task<Response> stripe_webhook(Ctx& ctx, const Request& request) {
  auto secret = ctx.config().get("STRIPE_WEBHOOK_SECRET");
  if (!secret) {
    co_return http::not_configured("stripe_not_configured");
  }
  auto header = request.header("stripe-signature");
  if (!header) co_await ctx.raise(invalid_signature("the Stripe-Signature header is missing"));
  std::string body = co_await http::read_body(ctx, request, kMaxEventBody);
  billing::SignatureCheck check = billing::verify_signature(*header, body, *secret, ctx.now_ms() / 1000);
  if (check != billing::SignatureCheck::valid) {
    log::warn("stripe webhook refused", {{"request_id", ctx.request_id()}, {"reason", billing::to_string(check)}});
    co_await ctx.raise(invalid_signature("the Stripe-Signature does not verify"));
  }

  auto event = billing::parse_stripe_event(body);
  if (!event) co_await ctx.raise(errors::invalid_request("expected a Stripe event object"));
  co_await billing::attach_invoice_payment_intent(ctx, *event);
  std::string outcome = co_await billing::apply_event(ctx, *event);
  ctx.add_log_field("stripe_event_id", event->id);
  ctx.add_log_field("stripe_event_type", event->type);
  ctx.add_log_field("stripe_outcome", std::move(outcome));
  co_return json_response(200, {{"received", true}});
}

}  // namespace ag::api
