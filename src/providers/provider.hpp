#pragma once
// The one interface the jobs domain drives every generation provider through. Like the rest
// of the core it is sans-I/O: a provider builds the requests to send and reads the replies;
// jobs/ performs them (so the sweep can poll many jobs at once) and applies what they say.
// Adding a provider is a folder-mate implementing this and a line in providers/registry.cpp.
#include <optional>
#include <string>
#include <string_view>

#include "core/effects.hpp"
#include "core/json.hpp"
#include "core/task_state.hpp"

namespace ag::providers {

/// A provider's view of one job, however it arrived (submission, poll, cancel, callback).
struct JobState {
  std::string id;                     // the provider's id for the job
  std::string provider_status;        // as the provider spells it
  std::optional<std::string> status;  // ours (jobs/lifecycle); nullopt: not one it documents
  Json body;                          // its whole answer, kept as the job's `result`
  Json files = Json::array();         // outputs its reply already stored in R2 (ReplyFiles)
};

/// What a poll brought back.
struct Polled {
  std::optional<JobState> state;  // the job's state, when the reply carried one
  bool unreachable = false;       // no answer worth acting on (network, 429, 5xx): ask again later
};

class Provider {
 public:
  virtual ~Provider() = default;

  /// The name jobs record as their `provider`.
  virtual std::string_view name() const = 0;

  /// Whether the provider answers the submission with the finished job (an OpenAI-compatible
  /// API): such a call can take minutes, so jobs run it on the Queue, not within POST /jobs.
  virtual bool synchronous() const { return false; }

  /// Starts a job with `input`; the provider calls `callback_url` when it ends. A synchronous
  /// provider's request may say which of its reply's bytes are files (`store`); jobs/ says
  /// where they go (key_prefix, max_bytes).
  virtual effect::FetchSpec submit_request(const Json& input, const std::string& callback_url) const = 0;
  /// The accepted job's state; nullopt when the provider did not accept it.
  virtual std::optional<JobState> submit_reply(const EffectResult& reply) const = 0;

  /// The submission as a request whose reply streams the job's output as it is made (an
  /// OpenAI chat's `stream: true`; effect::FetchSpec::stream); nullopt when the provider does
  /// not stream this model's output.
  virtual std::optional<effect::FetchSpec> stream_request(const Json& /*input*/) const { return std::nullopt; }

  /// nullopt: the provider keeps no job to ask about (a synchronous one).
  virtual std::optional<effect::FetchSpec> status_request(std::string_view job_id) const = 0;
  virtual Polled status_reply(const EffectResult& reply, std::string_view job_id) const = 0;

  /// nullopt: nothing to cancel at the provider.
  virtual std::optional<effect::FetchSpec> cancel_request(std::string_view job_id) const = 0;
  /// The state the provider reports after a cancel (its own status if the job had ended).
  virtual std::optional<JobState> cancel_reply(const EffectResult& reply) const = 0;

  /// The largest callback body read (a larger one is refused before it is parsed).
  virtual std::uint64_t max_callback_bytes() const = 0;
  /// The state in a callback's body; nullopt when it is not one.
  virtual std::optional<JobState> parse_callback(std::string_view body) const = 0;

  /// Where in a finished job's state its files are (jobs/outputs.cpp copies the documented
  /// shapes of this value into R2); null when it carries none.
  virtual Json output(const JobState& state) const = 0;

  /// What a finished job used, as the provider reports it, under the meter names pricing
  /// documents use (docs/models.md "Usage-priced models"): {"output_tokens": 812, ...}; an
  /// empty object when it reports nothing.
  virtual Json usage(const JobState& /*state*/) const { return Json::object(); }

  /// The request that reads a finished job's result when `state` reports the end without it
  /// (fal's COMPLETED status says neither how it ended nor what it made); nullopt when `state`
  /// is the whole story, as every state of RunPod and Replicate is. jobs/ reads the result
  /// before it applies such a state, whether a poll, a callback, a cancel or the sweep saw it.
  virtual std::optional<effect::FetchSpec> result_request(const JobState& /*state*/) const { return std::nullopt; }
  /// `finished` completed by the reply to its result_request: its outcome and output, or
  /// `unreachable` (and `finished` with no lifecycle status) when the result could not be read.
  virtual Polled result_reply(const EffectResult& /*reply*/, const JobState& finished) const { return {finished}; }

  /// Where a job's later requests go when that is not its model's `endpoint_id` (fal: the app
  /// its model belongs to), recorded as the job's provider_endpoint_id; nullopt: the model's.
  virtual std::optional<std::string> job_endpoint() const { return std::nullopt; }
};

}  // namespace ag::providers
