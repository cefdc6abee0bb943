#include "api/body.hpp"
#include "api/handlers.hpp"
#include "crypto/constant_time.hpp"
#include "db/events.hpp"

namespace ag::api {

namespace {

constexpr std::uint64_t kMaxWebhookBody = 256 << 10;

/// Header names whose values are credentials; logged as "[redacted]".
bool is_secret_header(std::string_view name) {
  return name == "authorization" || name == "cookie" || name == "x-webhook-secret" ||
         name == "apikey" || name == "proxy-authorization" || name == "stripe-signature";
}

Json logged_payload(const Request& request, const std::string& body) {
  Json headers = Json::object();
  for (const auto& [name, value] : request.headers)
    headers[name] = is_secret_header(name) ? std::string("[redacted]") : value;
  auto parsed = parse_json(body);
  return {{"headers", std::move(headers)}, {"body", parsed ? std::move(*parsed) : Json(body)}};
}

}  // namespace

/// POST /webhooks/test: checks X-Webhook-Secret and logs the delivery to `events`.
Task<Response> webhook_test(Ctx& ctx, const Request& request) {
  auto secret = ctx.config().get("WEBHOOK_SECRET");
  auto given = request.header("x-webhook-secret");
  if (!secret || !given || !crypto::constant_time_equal(*given, *secret))
    co_await ctx.raise(errors::unauthorized("invalid webhook secret"));
  std::string body = co_await read_body(ctx, request, kMaxWebhookBody);
  std::string event_id = ctx.uuid_v4();
  ctx.wait_until(db::insert_event(event_id, request.path, logged_payload(request, body)));
  co_return json_response(200, {{"ok", true}, {"received", true}, {"event_id", event_id}});
}

}  // namespace ag::api
