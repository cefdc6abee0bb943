#include "db/webhook_log.hpp"

#include "db/events.hpp"
#include "db/nul.hpp"

namespace ag::db {
namespace {

constexpr std::size_t kMaxLoggedBody = 64 << 10;

/// Header names whose values are credentials; logged as "[redacted]".
bool is_secret_header(std::string_view name) {
  return name == "authorization" || name == "cookie" || name == "x-webhook-secret" || name == "apikey" ||
         name == "proxy-authorization" || name == "stripe-signature";
}

}  // namespace

Json log_webhook(std::string_view event_id, const Request& request, std::string_view body) {
  Json headers = Json::object();
  for (const auto& [name, value] : request.headers)
    headers[name] = is_secret_header(name) ? std::string("[redacted]") : value;
  Json logged_body;
  if (body.size() > kMaxLoggedBody) {
    // Provider callbacks may carry whole media files as base64: keep the log table small.
    logged_body = {{"truncated", true}, {"size", body.size()}};
  } else {
    auto parsed = parse_json(body);
    // A sender's U+0000 would make the insert fail and the event be lost: the log keeps a
    // readable copy instead.
    logged_body = db::without_nul(parsed ? *parsed : Json(std::string(body)));
  }
  // The path only: query strings may carry per-job callback tokens.
  Json payload = {{"headers", std::move(headers)}, {"body", std::move(logged_body)}};
  return db::insert_event(event_id, request.path, payload);
}

}  // namespace ag::db
