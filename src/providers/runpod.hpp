#pragma once
// RunPod Serverless queue endpoints (PROTOCOLS.md "RunPod Serverless"), without I/O: the
// requests to send and the meaning of what comes back. Base URL from RUNPOD_API_BASE so
// tests and local runs talk to a stand-in through the same code path.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/effects.hpp"
#include "core/json.hpp"
#include "core/task_state.hpp"
#include "providers/replies.hpp"

namespace ag::runpod {

/// Largest RunPod reply or callback the core reads. Outputs are files behind URLs (copied into
/// R2 by jobs/outputs.cpp); an output inline takes about eleven times its size in the core's
/// memory while applied (8 MiB grew it to 88 MiB; 12 MiB ran it out).
inline constexpr std::uint64_t kMaxReplyBytes = 1 << 20;

struct Settings {
  std::string api_base;  // without trailing '/'
  std::string api_key;
  std::string endpoint_id;
};

/// RUNPOD_API_KEY + RUNPOD_ENDPOINT_ID (+ RUNPOD_API_BASE, default the public API);
/// nullopt when RunPod is not configured (jobs are then the noop).
std::optional<Settings> settings(const Config& config);
/// `settings` aimed at a job's own endpoint (its model's `endpoint_id`) when it has one.
Settings at_endpoint(Settings settings, const std::optional<std::string>& endpoint_id);

/// POST /{endpoint}/run with `input`, and RunPod's callback when `webhook_url` is set.
effect::FetchSpec run_request(const Settings& settings, const Json& input, const std::string& webhook_url);
/// GET /{endpoint}/status/{id}
effect::FetchSpec status_request(const Settings& settings, std::string_view provider_job_id);
/// POST /{endpoint}/cancel/{id}
effect::FetchSpec cancel_request(const Settings& settings, std::string_view provider_job_id);

/// Our lifecycle status for RunPod's (IN_QUEUE → submitted, IN_PROGRESS → running, ...);
/// nullopt for a status RunPod has not documented.
std::optional<std::string> lifecycle_status(std::string_view runpod_status);

/// RunPod behind the providers::Provider interface, aimed at one endpoint.
class RunPod final : public providers::JobQueueProvider {
 public:
  explicit RunPod(Settings settings);

  effect::FetchSpec submit_request(const Json& input, const std::string& callback_url) const override;
  std::optional<effect::FetchSpec> status_request(std::string_view job_id) const override;
  std::optional<effect::FetchSpec> cancel_request(std::string_view job_id) const override;

 private:
  Settings settings_;
};

}  // namespace ag::runpod
