#include "billing/invoice_payment.hpp"

#include "core/log.hpp"
#include "providers/stripe.hpp"

namespace ag::billing {

Task<> attach_invoice_payment_intent(Ctx& ctx, StripeEvent& event) {
  if (event.type != "invoice.paid" || string_field(event.object, "payment_intent")) co_return;
  if (int_field(event.object, "amount_paid").value_or(0) <= 0) co_return;
  auto invoice_id = string_field(event.object, "id");
  auto settings = stripe::settings(ctx.config());
  if (!invoice_id || !settings) co_return;

  EffectResult reply = co_await ctx.perform(effect::fetch(stripe::invoice_payments_request(*settings, *invoice_id)));
  const int status = reply.http_status();
  auto intent = stripe::paid_payment_intent(status, reply.body);
  if (!intent) {
    log::warn("stripe invoice payments lookup failed", {{"request_id", ctx.request_id()},
                                                        {"status", status},
                                                        {"stripe_error", stripe::error_summary(reply.body)},
                                                        {"error", reply.error_code()}});
    co_await ctx.raise(errors::provider_error("Stripe did not tell how the invoice was paid; deliver again"));
  }
  if (!intent->empty()) event.object["payment_intent"] = std::move(*intent);
}

}  // namespace ag::billing
