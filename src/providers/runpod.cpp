#include "providers/runpod.hpp"

#include <array>
#include <utility>

#include "providers/api_request.hpp"
#include "providers/replies.hpp"

namespace ag::runpod {
namespace {

constexpr std::string_view kDefaultBase = "https://api.runpod.ai/v2";

effect::FetchSpec request(const Settings& settings, std::string method, const std::string& path) {
  return providers::api_request(std::move(method), settings.api_base + "/" + settings.endpoint_id + path,
                                "Bearer " + settings.api_key, kMaxReplyBytes);
}

}  // namespace

std::optional<Settings> settings(const Config& config) {
  auto key = config.get("RUNPOD_API_KEY");
  auto endpoint = config.get("RUNPOD_ENDPOINT_ID");
  if (!key || !endpoint) return std::nullopt;
  return Settings{config.get_base_url("RUNPOD_API_BASE", kDefaultBase), std::string(*key), std::string(*endpoint)};
}

Settings at_endpoint(Settings settings, const std::optional<std::string>& endpoint_id) {
  if (endpoint_id && !endpoint_id->empty()) settings.endpoint_id = *endpoint_id;
  return settings;
}

effect::FetchSpec run_request(const Settings& settings, const Json& input, const std::string& webhook_url) {
  effect::FetchSpec spec = request(settings, "POST", "/run");
  Json body = {{"input", input}};
  if (!webhook_url.empty()) body["webhook"] = webhook_url;
  spec.headers.emplace_back("content-type", "application/json");
  spec.body = dump(body);
  spec.max_bytes = 1 << 20;
  return spec;
}

effect::FetchSpec status_request(const Settings& settings, std::string_view provider_job_id) {
  return request(settings, "GET", "/status/" + std::string(provider_job_id));
}

effect::FetchSpec cancel_request(const Settings& settings, std::string_view provider_job_id) {
  return request(settings, "POST", "/cancel/" + std::string(provider_job_id));
}

std::optional<std::string> lifecycle_status(std::string_view runpod_status) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kMap = {{
      {"IN_QUEUE", "submitted"},
      {"IN_PROGRESS", "running"},
      {"COMPLETED", "completed"},
      {"FAILED", "failed"},
      {"CANCELLED", "cancelled"},
      {"TIMED_OUT", "timed_out"},
  }};
  for (const auto& [theirs, ours] : kMap) {
    if (theirs == runpod_status) return std::string(ours);
  }
  return std::nullopt;
}

RunPod::RunPod(Settings settings)
    : JobQueueProvider("runpod", lifecycle_status, "FAILED", kMaxReplyBytes), settings_(std::move(settings)) {}

effect::FetchSpec RunPod::submit_request(const Json& input, const std::string& callback_url) const {
  return run_request(settings_, input, callback_url);
}

std::optional<effect::FetchSpec> RunPod::status_request(std::string_view job_id) const {
  return runpod::status_request(settings_, job_id);
}

std::optional<effect::FetchSpec> RunPod::cancel_request(std::string_view job_id) const {
  return runpod::cancel_request(settings_, job_id);
}

}  // namespace ag::runpod
