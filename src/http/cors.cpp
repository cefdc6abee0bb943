#include "http/cors.hpp"

namespace ag::http {

namespace {
constexpr std::string_view kAllowedHeaders =
    "authorization, content-type, idempotency-key, prefer, x-webhook-secret, if-none-match, range";
constexpr std::string_view kExposedHeaders =
    "x-request-id, etag, retry-after, content-range, idempotent-replayed, preference-applied";
}  // namespace

std::optional<std::string> allowed_origin(const Config& config, std::string_view origin) {
  if (origin.empty()) return std::nullopt;
  for (const auto& allowed : config.get_list("CORS_ORIGINS")) {
    if (allowed == "*") return std::string("*");
    if (allowed == origin) return std::string(origin);
  }
  return std::nullopt;
}

void add_cors_headers(const Config& config, const Request& request, Response& response) {
  auto origin = request.header("origin");
  auto allowed = origin ? allowed_origin(config, *origin) : std::nullopt;
  if (!allowed) return;
  response.set_header("access-control-allow-origin", *allowed);
  response.set_header("access-control-expose-headers", std::string(kExposedHeaders));
  if (*allowed != "*") response.set_header("vary", "Origin");
}

Response preflight(const Config& config, const Request& request, const std::string& allow) {
  Response response;
  response.status = 204;
  response.set_header("allow", allow);
  auto origin = request.header("origin");
  auto allowed = origin ? allowed_origin(config, *origin) : std::nullopt;
  if (allowed) {
    response.set_header("access-control-allow-methods", allow);
    response.set_header("access-control-allow-headers", std::string(kAllowedHeaders));
    response.set_header("access-control-max-age", "600");
  }
  return response;
}

}  // namespace ag::http
