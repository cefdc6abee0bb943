#pragma once
// A job whose provider streams its output as it makes it (an OpenAI-compatible chat with
// `stream: true`, which a /v1 call passes on piece by piece: v1/chat_stream.hpp). The job is
// recorded as every job is: submitted once the reply's head is 2xx (the shim holds its body for
// the caller to read, effect::body_read), refused and refunded otherwise; at the end of the
// stream completed through apply_provider_state as a synchronous provider's reply is (its text
// into R2, its usage priced), or failed and refunded when the stream breaks off. A client that
// goes away mid-stream cancels the task, the provider's reply with it: the job is then cancelled
// and refunded by the background task the cancel leaves (kAbandonedStream), since no one reads
// what the provider goes on making and nothing of it is kept.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/submit.hpp"

namespace ag::jobs {

/// The background job a cancelled stream leaves: {"name", "job_id"}.
inline constexpr std::string_view kAbandonedStream = "abandoned_stream";

/// A submitted job whose provider's reply is streaming.
struct Streaming {
  std::string job_id;
  std::string owner;  // the user id, or "admin"
  std::string provider_job_id;
  Candidate candidate;    // the model and provider running it
  std::int64_t body = 0;  // the held reply body
};

/// How handing a created job to a streaming provider went.
struct Opened {
  std::optional<Streaming> streaming;  // accepted: its reply is for the caller to read
  std::optional<Answer> refused;       // refused (502), recorded and refunded
  // neither: the job's provider does not stream its output; submit() it as usual.
};

/// Sends the created `job` to its first candidate as a streamed request, when that provider
/// streams the job's output.
Task<Opened> open_stream(Ctx& ctx, std::vector<Candidate> candidates, const Submission& job);

/// Records the streamed job as completed with the provider's `completion` (the reply the same
/// call without streaming would have had), as apply_provider_state records any completion.
Task<> complete_stream(Ctx& ctx, const Streaming& job, const Json& completion);

/// The job of a stream whose client went away: cancelled, refunded (a job that ended before
/// stays as it ended).
Task<> abandon_stream(Ctx& ctx, const std::string& job_id);

}  // namespace ag::jobs
