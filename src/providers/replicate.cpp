#include "providers/replicate.hpp"

#include <array>
#include <utility>

#include "providers/api_request.hpp"
#include "providers/replies.hpp"
#include "providers/usage.hpp"

namespace ag::replicate {
namespace {

constexpr std::string_view kDefaultBase = "https://api.replicate.com/v1";
constexpr std::string_view kFailed = "failed";

}  // namespace

std::optional<Settings> settings(const Config& config) {
  auto token = config.get("REPLICATE_API_TOKEN");
  if (!token || token->empty()) return std::nullopt;
  std::string secret(config.get("REPLICATE_WEBHOOK_SECRET").value_or(""));
  return Settings{config.get_base_url("REPLICATE_API_BASE", kDefaultBase), std::string(*token), std::move(secret), ""};
}

std::optional<std::string> lifecycle_status(std::string_view replicate_status) {
  // `aborted`: ended before it started, which Replicate documents for a passed deadline.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kMap = {{
      {"starting", "submitted"},
      {"processing", "running"},
      {"succeeded", "completed"},
      {kFailed, "failed"},
      {"canceled", "cancelled"},
      {"aborted", "timed_out"},
  }};
  for (const auto& [theirs, ours] : kMap)
    if (theirs == replicate_status) return std::string(ours);
  return std::nullopt;
}

Replicate::Replicate(Settings settings)
    : JobQueueProvider("replicate", lifecycle_status, kFailed, kMaxReplyBytes), settings_(std::move(settings)) {}

effect::FetchSpec Replicate::request(std::string method, std::string path) const {
  return providers::api_request(std::move(method), settings_.api_base + path, "Bearer " + settings_.api_token,
                                kMaxReplyBytes);
}

effect::FetchSpec Replicate::submit_request(const Json& input, const std::string& callback_url) const {
  const std::string& model = settings_.model;
  auto colon = model.find(':');
  const bool pinned = colon != std::string::npos || model.find('/') == std::string::npos;
  effect::FetchSpec spec = request("POST", pinned ? "/predictions" : "/models/" + model + "/predictions");
  // The price follows our model, not a `model` field the prediction would not read anyway.
  Json sent = input;
  sent.erase("model");
  Json body = {{"input", std::move(sent)}};
  if (pinned) body["version"] = colon == std::string::npos ? model : model.substr(colon + 1);
  // Without the secret a callback could not be told from a forgery: completion is then polled.
  if (!settings_.webhook_secret.empty() && !callback_url.empty()) {
    body["webhook"] = callback_url;
    body["webhook_events_filter"] = Json::array({"completed"});
  }
  spec.headers.emplace_back("content-type", "application/json");
  spec.body = dump(body);
  return spec;
}

std::optional<effect::FetchSpec> Replicate::status_request(std::string_view job_id) const {
  return request("GET", "/predictions/" + std::string(job_id));
}

std::optional<effect::FetchSpec> Replicate::cancel_request(std::string_view job_id) const {
  return request("POST", "/predictions/" + std::string(job_id) + "/cancel");
}

Json Replicate::usage(const providers::JobState& state) const {
  // A prediction's metrics: language models count tokens; every model, its compute time.
  static constexpr providers::MeterField kFields[] = {{"input_tokens", "input_token_count"},
                                                      {"output_tokens", "output_token_count"},
                                                      {"predict_seconds", "predict_time"}};
  return providers::usage_report(state.body.value("metrics", Json(nullptr)), kFields);
}

}  // namespace ag::replicate
