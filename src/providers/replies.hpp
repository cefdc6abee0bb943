#pragma once
// How the job-queue providers (RunPod, Replicate) answer: a job is a JSON object with its
// `id` and `status`, in the reply to a submission, a status poll or a cancel, and in a callback.
// JobQueueProvider reads those replies for them, so each writes only its requests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/task_state.hpp"
#include "providers/provider.hpp"

namespace ag::providers {

/// Our lifecycle status for a provider's; nullopt for one it has not documented.
using Lifecycle = std::optional<std::string> (*)(std::string_view provider_status);

/// No answer worth acting on: a network error or timeout, a 429 or a 5xx. A submission so
/// refused may go to a fallback model; a poll so answered is asked again later.
bool unreachable(const EffectResult& reply);

/// The state in a body; nullopt unless it is an object with a non-empty string `id` and a
/// string `status`.
std::optional<JobState> parse_state(std::string_view body, Lifecycle lifecycle);

/// The state in a 2xx reply (to a submission or a cancel); nullopt for any other.
std::optional<JobState> accepted_state(const EffectResult& reply, Lifecycle lifecycle);

/// What a status poll's reply says. A 200 over the request's cap reads as `failed_status` with
/// `error` "output_too_large": the job's output can never be read, so it ends (refunded)
/// instead of being polled until its deadline.
Polled polled_state(const EffectResult& reply, std::string_view job_id, std::string_view failed_status,
                    Lifecycle lifecycle);

/// The replies, callbacks and outputs of a job-queue provider, read as above; its output is the
/// job's `output`.
class JobQueueProvider : public Provider {
 public:
  std::string_view name() const override { return name_; }
  std::optional<JobState> submit_reply(const EffectResult& reply) const override;
  Polled status_reply(const EffectResult& reply, std::string_view job_id) const override;
  std::optional<JobState> cancel_reply(const EffectResult& reply) const override;
  std::uint64_t max_callback_bytes() const override { return max_reply_bytes_; }
  std::optional<JobState> parse_callback(std::string_view body) const override;
  Json output(const JobState& state) const override;

 protected:
  /// `failed_status`: how the provider spells a failed job; `max_reply_bytes`: the largest
  /// reply or callback read. Both (like `name`) are literals or constants.
  JobQueueProvider(std::string_view name, Lifecycle lifecycle, std::string_view failed_status,
                   std::uint64_t max_reply_bytes)
      : name_(name), lifecycle_(lifecycle), failed_status_(failed_status), max_reply_bytes_(max_reply_bytes) {}

 private:
  std::string_view name_;
  Lifecycle lifecycle_;
  std::string_view failed_status_;
  std::uint64_t max_reply_bytes_;
};

}  // namespace ag::providers
