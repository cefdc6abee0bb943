#include "providers/stripe.hpp"

#include "providers/api_request.hpp"
#include "providers/stripe_form.hpp"
#include "core/json.hpp"

namespace ag::stripe {
namespace {

constexpr std::string_view kDefaultBase = "https://api.stripe.com";

effect::FetchSpec request(const Settings& settings, std::string method, std::string url) {
  effect::FetchSpec spec =
      providers::api_request(std::move(method), std::move(url), "Bearer " + settings.secret_key, 1 << 20);
  spec.headers.emplace_back("stripe-version", std::string(kApiVersion));
  return spec;
}

effect::FetchSpec post(const Settings& settings, std::string_view path, const FormFields& fields,
                       std::string idempotency_key) {
  effect::FetchSpec spec = request(settings, "POST", settings.api_base + std::string(path));
  spec.headers.emplace_back("idempotency-key", std::move(idempotency_key));
  spec.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  spec.body = form_body(fields);
  return spec;
}

}  // namespace

std::optional<Settings> settings(const Config& config) {
  auto key = config.get("STRIPE_SECRET_KEY");
  if (!key) return std::nullopt;
  return Settings{config.get_base_url("STRIPE_API_BASE", kDefaultBase), std::string(*key)};
}

effect::FetchSpec create_customer_request(const Settings& settings, const std::string& user_id,
                                          const std::string& email) {
  FormFields fields = {{"metadata[user_id]", user_id}};
  if (!email.empty()) fields.emplace_back("email", email);
  return post(settings, "/v1/customers", fields, "customer-" + user_id);
}

effect::FetchSpec create_checkout_session_request(const Settings& settings, const CheckoutSession& session) {
  const bool subscription = session.mode == "subscription";
  const std::string product_key = subscription ? "metadata[plan_id]" : "metadata[pack_id]";
  FormFields fields = {
      {"mode", session.mode},
      {"customer", session.customer_id},
      {"client_reference_id", session.user_id},
      {"line_items[0][price]", session.price_id},
      {"line_items[0][quantity]", "1"},
      {"success_url", session.success_url},
      {"cancel_url", session.cancel_url},
      {"metadata[user_id]", session.user_id},
      {product_key, session.product_id},
  };
  if (subscription) {
    // The subscription's own events then name the user too.
    fields.emplace_back("subscription_data[metadata][user_id]", session.user_id);
    fields.emplace_back("subscription_data[metadata][plan_id]", session.product_id);
  }
  return post(settings, "/v1/checkout/sessions", fields, session.idempotency_key);
}

effect::FetchSpec create_portal_session_request(const Settings& settings, const std::string& customer_id,
                                                const std::string& return_url, const std::string& idempotency_key) {
  FormFields fields = {{"customer", customer_id}, {"return_url", return_url}};
  return post(settings, "/v1/billing_portal/sessions", fields, idempotency_key);
}

effect::FetchSpec invoice_payments_request(const Settings& settings, std::string_view invoice_id) {
  FormFields query = {{"invoice", std::string(invoice_id)}, {"status", "paid"}};
  return request(settings, "GET", settings.api_base + "/v1/invoice_payments?" + form_body(query));
}

std::optional<std::string> paid_payment_intent(int http_status, std::string_view body) {
  if (http_status != 200) return std::nullopt;
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object() || !(*parsed)["data"].is_array()) return std::nullopt;
  for (const Json& payment : (*parsed)["data"]) {
    if (string_field(payment, "status") != "paid" || !payment.contains("payment")) continue;
    if (auto intent = string_field(payment["payment"], "payment_intent")) return intent;
  }
  return std::string();
}

std::optional<Created> parse_created(int http_status, std::string_view body, bool needs_url) {
  if (http_status < 200 || http_status >= 300) return std::nullopt;
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  auto id = string_field(*parsed, "id");
  auto url = string_field(*parsed, "url");
  if (!id || id->empty() || (needs_url && (!url || url->empty()))) return std::nullopt;
  return Created{std::move(*id), url.value_or("")};
}

std::string error_summary(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object() || !parsed->contains("error")) return "";
  const Json& error = (*parsed)["error"];
  std::string summary = string_field(error, "type").value_or("");
  if (auto code = string_field(error, "code")) summary += "/" + *code;
  return summary;
}

}  // namespace ag::stripe
