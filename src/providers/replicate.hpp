#pragma once
// Replicate's predictions API (PROTOCOLS.md "Replicate"), without I/O. A model is named by
// `owner/name` (its latest version, POST /models/{owner}/{name}/predictions) or pinned to a
// version (`owner/name:<version>` or the bare version id, POST /predictions). Replicate deletes
// a prediction's output files within an hour: jobs/outputs.cpp copies them on completion.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "providers/replies.hpp"

namespace ag::replicate {

/// Largest prediction the core reads: outputs are URLs, or text for language models.
inline constexpr std::uint64_t kMaxReplyBytes = 1 << 20;

struct Settings {
  std::string api_base;  // without trailing '/'
  std::string api_token;
  std::string webhook_secret;  // whsec_...; empty: no completion webhook is asked for
  std::string model;           // owner/name, owner/name:version, or a version id
};

/// REPLICATE_API_TOKEN (+ REPLICATE_API_BASE, default the public API, and
/// REPLICATE_WEBHOOK_SECRET); nullopt when Replicate is not configured.
std::optional<Settings> settings(const Config& config);

/// Our lifecycle status for Replicate's (starting → submitted, processing → running, ...);
/// nullopt for a status Replicate has not documented.
std::optional<std::string> lifecycle_status(std::string_view replicate_status);

class Replicate final : public providers::JobQueueProvider {
 public:
  explicit Replicate(Settings settings);

  effect::FetchSpec submit_request(const Json& input, const std::string& callback_url) const override;
  std::optional<effect::FetchSpec> status_request(std::string_view job_id) const override;
  std::optional<effect::FetchSpec> cancel_request(std::string_view job_id) const override;
  Json usage(const providers::JobState& state) const override;

 private:
  effect::FetchSpec request(std::string method, std::string path) const;
  Settings settings_;
};

}  // namespace ag::replicate
