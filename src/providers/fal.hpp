#pragma once
// fal.ai's queue API (PROTOCOLS.md "fal.ai"), without I/O. A model is fal's endpoint id
// (`fal-ai/flux/dev`): submissions go to the whole id, a request's status, result and cancel
// to its app (`fal-ai/flux`, the id without its sub-path), which jobs record as their
// provider_endpoint_id. COMPLETED says neither how a request ended nor what it made: its
// result is read with one more GET (Provider::result_request). fal's webhook carries the
// outcome and the payload inline, signed with Ed25519 (crypto/fal_webhook.hpp). A job's
// `result` keeps the payload as `output`, as RunPod's and Replicate's do.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "providers/provider.hpp"

namespace ag::fal {

/// Largest reply or webhook the core reads: outputs are URLs on fal's CDN.
inline constexpr std::uint64_t kMaxReplyBytes = 1 << 20;

inline constexpr std::string_view kDefaultQueueBase = "https://queue.fal.run";
inline constexpr std::string_view kDefaultJwksUrl = "https://rest.alpha.fal.ai/.well-known/jwks.json";

struct Settings {
  std::string queue_base;  // without trailing '/'
  std::string key;
  std::string jwks_url;
  std::string model;  // the endpoint id submissions go to; empty for a recorded job
  std::string app;    // the app its requests live under
};

/// FAL_KEY (+ FAL_QUEUE_BASE and FAL_JWKS_URL, default fal's); nullopt when fal is not
/// configured.
std::optional<Settings> settings(const Config& config);

/// The app of an endpoint id: its owner and app name (`fal-ai/flux/dev` → `fal-ai/flux`), the
/// namespace kept for the namespaced ones (`workflows/owner/app/...` → `workflows/owner/app`).
std::string queue_app(std::string_view model);

/// Our lifecycle status for a queue status or a webhook's outcome (IN_QUEUE → submitted,
/// IN_PROGRESS → running, COMPLETED and OK → completed, ERROR → failed); nullopt otherwise.
std::optional<std::string> lifecycle_status(std::string_view fal_status);

class Fal final : public providers::Provider {
 public:
  explicit Fal(Settings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "fal"; }
  effect::FetchSpec submit_request(const Json& input, const std::string& callback_url) const override;
  std::optional<providers::JobState> submit_reply(const EffectResult& reply) const override;
  std::optional<effect::FetchSpec> status_request(std::string_view job_id) const override;
  providers::Polled status_reply(const EffectResult& reply, std::string_view job_id) const override;
  std::optional<effect::FetchSpec> cancel_request(std::string_view job_id) const override;
  std::optional<providers::JobState> cancel_reply(const EffectResult& reply) const override;
  std::uint64_t max_callback_bytes() const override { return kMaxReplyBytes; }
  std::optional<providers::JobState> parse_callback(std::string_view body) const override;
  Json output(const providers::JobState& state) const override;
  std::optional<effect::FetchSpec> result_request(const providers::JobState& state) const override;
  providers::Polled result_reply(const EffectResult& reply, const providers::JobState& finished) const override;
  std::optional<std::string> job_endpoint() const override { return settings_.app; }

 private:
  effect::FetchSpec request(std::string method, std::string url) const;
  std::string request_url(std::string_view job_id) const;
  Settings settings_;
};

}  // namespace ag::fal
