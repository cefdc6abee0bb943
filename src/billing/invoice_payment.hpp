#pragma once
// Since Stripe API 2025-03-31.basil an invoice no longer names the payment intent that paid it,
// yet refunds and disputes arrive as the charge of that payment intent. Before an invoice.paid
// is applied, the intent is looked up at Stripe and put back where older API versions had it
// (`payment_intent` on the invoice), so the fulfilment records it and later refunds and
// disputes find it (migrations/functions/billing.sql).
#include "billing/store.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::billing {

/// Fills `event.object.payment_intent` of a paid invoice with money on it, from
/// GET /v1/invoice_payments. Raises 502 when Stripe cannot say (the webhook then fails and
/// Stripe delivers it again); leaves other events, and all of them without STRIPE_SECRET_KEY,
/// as they are.
Task<> attach_invoice_payment_intent(Ctx& ctx, StripeEvent& event);

}  // namespace ag::billing
