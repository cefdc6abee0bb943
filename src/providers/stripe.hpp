#pragma once
// Stripe's API (PROTOCOLS.md "Stripe"), without I/O: the requests this API sends and the
// meaning of the answers. Form-encoded bodies, `Authorization: Bearer sk_...`, a pinned
// Stripe-Version and an Idempotency-Key on every POST. Base URL from STRIPE_API_BASE, so
// tests and local runs talk to a stand-in through the same code path.
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/effects.hpp"

namespace ag::stripe {

/// The API version every request pins. Webhook endpoints should be created with the same
/// version, so events carry the shapes this code reads (items.data[].current_period_end,
/// invoice.parent.subscription_details, line.pricing.price_details).
inline constexpr std::string_view kApiVersion = "2025-03-31.basil";

struct Settings {
  std::string api_base;  // without trailing '/'
  std::string secret_key;
};

/// STRIPE_SECRET_KEY (+ STRIPE_API_BASE, default https://api.stripe.com); nullopt when Stripe
/// is not configured (checkout and portal answer the 501 noop).
std::optional<Settings> settings(const Config& config);

/// POST /v1/customers for the user, with metadata[user_id]. The idempotency key is derived
/// from the user, so racing first checkouts create one customer.
effect::FetchSpec create_customer_request(const Settings& settings, const std::string& user_id,
                                          const std::string& email);

struct CheckoutSession {
  std::string mode;  // "payment" (a pack) or "subscription" (a plan)
  std::string price_id;
  std::string customer_id;
  std::string user_id;
  std::string product_id;  // our catalog id, in metadata[pack_id] or metadata[plan_id]
  std::string success_url;
  std::string cancel_url;
  std::string idempotency_key;
};

/// POST /v1/checkout/sessions: one line item of the price, client_reference_id = the user,
/// metadata (and the subscription's metadata) naming the user and the catalog item.
effect::FetchSpec create_checkout_session_request(const Settings& settings, const CheckoutSession& session);

/// POST /v1/billing_portal/sessions for the customer.
effect::FetchSpec create_portal_session_request(const Settings& settings, const std::string& customer_id,
                                                const std::string& return_url, const std::string& idempotency_key);

/// GET /v1/invoice_payments?invoice=...&status=paid: how an invoice was paid. Since API
/// 2025-03-31.basil this is where an invoice's payment intent lives.
effect::FetchSpec invoice_payments_request(const Settings& settings, std::string_view invoice_id);

/// The payment intent that paid the invoice, from invoice_payments_request's answer; "" when
/// none did (a $0 invoice, paid out of band); nullopt when the answer is not a list.
std::optional<std::string> paid_payment_intent(int http_status, std::string_view body);

/// What a create call answered: the object's id and, for sessions, its url.
struct Created {
  std::string id;
  std::string url;
};

/// The created object of a 2xx answer with a string `id` (and `url` when `needs_url`);
/// nullopt otherwise.
std::optional<Created> parse_created(int http_status, std::string_view body, bool needs_url);

/// Stripe's error type and code from an error answer ("card_error/…"), for logs; "" if none.
std::string error_summary(std::string_view body);

}  // namespace ag::stripe
