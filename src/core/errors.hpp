#pragma once
// The JSON error model (DESIGN.md §6). Handlers raise an ApiError (`co_await
// ctx.raise(...)`); the App turns it into `{"ok":false,"error","message",...extra}`.
#include <string>
#include <vector>

#include "core/http.hpp"
#include "core/json.hpp"

namespace ag {

struct ApiError {
  int status = 500;
  std::string code = "internal_error";
  std::string message;
  Json extra = Json::object();  // merged into the body (e.g. balance/required, job_id)
  Headers headers;              // e.g. Retry-After, Allow
};

namespace errors {
/// An error none of the others below names (a /v1 call's 504 job_still_running).
ApiError make(int status, std::string code, std::string message);
ApiError invalid_request(std::string message);
/// 400 invalid_input: a job's input does not fit its model's input schema (`message` names the field).
ApiError invalid_input(std::string message);
ApiError unauthorized(std::string message = "missing or invalid credentials");
ApiError forbidden(std::string message = "not allowed");
ApiError not_found(std::string message = "not found");
ApiError method_not_allowed(std::string allow);
ApiError length_required();
ApiError payload_too_large(std::uint64_t limit);
/// 413 for an upload that would take its user's storage past `limit` bytes.
ApiError quota_exceeded(std::int64_t used, std::uint64_t limit);
/// 415 for a body whose Content-Type is not accepted; `allowed` lists what is.
ApiError unsupported_media_type(std::string message, std::vector<std::string> allowed);
/// 416 for a Range outside an object of `size` bytes.
ApiError range_not_satisfiable(std::uint64_t size);
ApiError database_unavailable();
/// 402 with the caller's balance and what the request needs.
ApiError insufficient_credits(std::int64_t balance, std::int64_t required);
/// 429 with Retry-After.
ApiError rate_limited(std::int64_t retry_after_s);
ApiError conflict(std::string message);
ApiError idempotency_key_reused();
ApiError provider_error(std::string message);
/// 400 model_unavailable: the model's provider is not configured (nothing is charged).
ApiError model_unavailable();
ApiError internal();
}  // namespace errors

/// The response for an error, as every client sees it.
Response error_response(const ApiError& error);

}  // namespace ag
