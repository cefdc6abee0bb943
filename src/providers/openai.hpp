#pragma once
// OpenAI-compatible APIs (docs/protocols.md "OpenAI-compatible"), without I/O: images
// (POST /images/generations), speech (POST /audio/speech) and text (POST /chat/completions),
// chosen by the model's content type, against OPENAI_API_BASE so any compatible service works.
// The reply is the finished job, after up to minutes: jobs run these calls on the Queue
// (jobs/queued.cpp), and the reply's bulk bytes (b64_json images, speech audio) go straight
// into R2 (effect::ReplyFiles) without entering the core.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "providers/provider.hpp"

namespace ag::openai {

/// Largest chat completion the core reads (a reply with files stores them instead).
inline constexpr std::uint64_t kMaxTextReplyBytes = 1 << 20;
/// How long a generation may take before the call is abandoned (the consumer may run 15 min).
inline constexpr std::int64_t kTimeoutMs = 300'000;

struct Settings {
  std::string api_base;  // without trailing '/'
  std::string api_key;
  std::string model;         // what the API calls the model (models.provider_model)
  std::string content_type;  // text, image or audio: which endpoint serves the model
};

/// OPENAI_API_KEY (+ OPENAI_API_BASE, default OpenAI's); nullopt when not configured.
std::optional<Settings> settings(const Config& config);

/// Whether the API makes this content type (video it does not).
bool serves(std::string_view content_type);

class OpenAI final : public providers::Provider {
 public:
  explicit OpenAI(Settings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "openai"; }
  bool synchronous() const override { return true; }
  effect::FetchSpec submit_request(const Json& input, const std::string& callback_url) const override;
  std::optional<providers::JobState> submit_reply(const EffectResult& reply) const override;
  /// A chat, with `stream: true` and the usage chunk (providers/openai_stream.hpp reads it).
  std::optional<effect::FetchSpec> stream_request(const Json& input) const override;
  std::optional<effect::FetchSpec> status_request(std::string_view) const override { return std::nullopt; }
  providers::Polled status_reply(const EffectResult&, std::string_view) const override { return {}; }
  std::optional<effect::FetchSpec> cancel_request(std::string_view) const override { return std::nullopt; }
  std::optional<providers::JobState> cancel_reply(const EffectResult&) const override { return std::nullopt; }
  // It calls nobody back: no callback is one.
  std::uint64_t max_callback_bytes() const override { return 0; }
  std::optional<providers::JobState> parse_callback(std::string_view) const override { return std::nullopt; }
  Json output(const providers::JobState& state) const override;
  Json usage(const providers::JobState& state) const override;

 private:
  Settings settings_;
};

}  // namespace ag::openai
