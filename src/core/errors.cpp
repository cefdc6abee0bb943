#include "core/errors.hpp"

namespace ag {
namespace errors {

ApiError make(int status, std::string code, std::string message) {
  ApiError error;
  error.status = status;
  error.code = std::move(code);
  error.message = std::move(message);
  return error;
}

ApiError invalid_request(std::string message) { return make(400, "invalid_request", std::move(message)); }
ApiError unauthorized(std::string message) { return make(401, "unauthorized", std::move(message)); }
ApiError forbidden(std::string message) { return make(403, "forbidden", std::move(message)); }
ApiError not_found(std::string message) { return make(404, "not_found", std::move(message)); }

ApiError method_not_allowed(std::string allow) {
  ApiError error = make(405, "method_not_allowed", "method not allowed; allowed: " + allow);
  error.headers.emplace_back("allow", std::move(allow));
  return error;
}

ApiError length_required() { return make(411, "length_required", "a Content-Length header is required"); }

ApiError payload_too_large(std::uint64_t limit) {
  ApiError error = make(413, "payload_too_large", "the body is larger than " + std::to_string(limit) + " bytes");
  error.extra["limit"] = limit;
  return error;
}

ApiError quota_exceeded(std::int64_t used, std::uint64_t limit) {
  ApiError error = make(413, "quota_exceeded",
                        "this upload does not fit in your storage: " + std::to_string(used) + " of " +
                            std::to_string(limit) + " bytes are used");
  error.extra["used"] = used;
  error.extra["limit"] = limit;
  return error;
}

ApiError unsupported_media_type(std::string message, std::vector<std::string> allowed) {
  ApiError error = make(415, "unsupported_media_type", std::move(message));
  error.extra["allowed"] = std::move(allowed);
  return error;
}

ApiError range_not_satisfiable(std::uint64_t size) {
  ApiError error =
      make(416, "range_not_satisfiable", "the range lies outside the object's " + std::to_string(size) + " bytes");
  error.headers.emplace_back("content-range", "bytes */" + std::to_string(size));
  return error;
}

ApiError insufficient_credits(std::int64_t balance, std::int64_t required) {
  ApiError error = make(402, "insufficient_credits", "not enough credits for this job");
  error.extra["balance"] = balance;
  error.extra["required"] = required;
  return error;
}

ApiError rate_limited(std::int64_t retry_after_s) {
  ApiError error = make(429, "rate_limited", "too many jobs for now: retry after Retry-After seconds");
  error.extra["retry_after"] = retry_after_s;
  error.headers.emplace_back("retry-after", std::to_string(retry_after_s));
  return error;
}

ApiError conflict(std::string message) { return make(409, "conflict", std::move(message)); }

ApiError idempotency_key_reused() {
  return make(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request");
}

ApiError database_unavailable() {
  return make(503, "database_unavailable", "the database is unavailable; retry shortly");
}

ApiError provider_error(std::string message) { return make(502, "provider_error", std::move(message)); }

ApiError invalid_input(std::string message) { return make(400, "invalid_input", std::move(message)); }

ApiError model_unavailable() {
  return make(400, "model_unavailable", "this model's provider is not configured; nothing was charged");
}

ApiError internal() { return make(500, "internal_error", "internal error"); }

}  // namespace errors

Response error_response(const ApiError& error) {
  Json body = {{"ok", false}, {"error", error.code}, {"message", error.message}};
  if (error.extra.is_object()) {
    for (const auto& [key, value] : error.extra.items()) body[key] = value;
  }
  Response response = json_response(error.status, body);
  for (const auto& [name, value] : error.headers) response.set_header(name, value);
  return response;
}

}  // namespace ag
