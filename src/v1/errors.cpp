#include "v1/errors.hpp"

#include <set>
#include <string>

#include "core/json.hpp"

namespace ag::v1 {
namespace {

/// OpenAI's error type for one of our error codes at `status`.
std::string error_type(int status, const std::string& code) {
  if (code == "insufficient_credits") return "insufficient_quota";
  if (code == "rate_limited") return "requests";
  if (status == 401) return "authentication_error";
  if (status == 403) return "permission_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/// Whether the client may repeat the call: nothing was started and a later try may pass.
bool retryable(const std::string& code) {
  static const std::set<std::string> kNothingStarted = {"rate_limited", "conflict", "database_unavailable",
                                                        "provider_error"};
  return kNothingStarted.contains(code);
}

}  // namespace

void as_openai_error(Response& response) {
  auto* text = std::get_if<std::string>(&response.body);
  if (response.status < 400 || !text) return;
  Json ours = Json::parse(*text, nullptr, false);
  if (!ours.is_object() || ours.value("ok", true)) return;
  const std::string code = string_field(ours, "error").value_or("internal_error");
  Json error = {{"message", ours.value("message", Json(""))},
                {"type", error_type(response.status, code)},
                {"param", nullptr},
                {"code", code == "insufficient_credits" ? "insufficient_quota" : code}};
  for (const auto& [key, value] : ours.items())
    if (key != "ok" && key != "error" && key != "message") error[key] = value;
  if (code == "insufficient_credits") response.status = 429;
  response.body = dump(Json{{"error", std::move(error)}});
  response.set_header("x-should-retry", retryable(code) ? "true" : "false");
}

}  // namespace ag::v1
