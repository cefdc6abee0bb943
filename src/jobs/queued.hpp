#pragma once
// The Queue consumer's side of a job whose provider answers within the submission (OpenAI-
// compatible): the call can take minutes, so POST /jobs answers 202 `queued` and leaves a
// message on the Worker's Cloudflare Queue; the shim starts each message as a background task
// and this submits the job there. The Queue delivers at least once: the job is claimed in one
// SQL call (queued → submitted) before anything is sent, so a redelivered message whose job is
// no longer queued does nothing, and nothing is run or refunded twice.
#include <string_view>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// The Queue's binding (wrangler.toml) and its messages' background job name.
inline constexpr std::string_view kJobsQueue = "JOBS";
inline constexpr std::string_view kRunQueuedJob = "run_queued_job";

/// A generation its provider reported failed (`state`) runs again when its model allows another
/// attempt: the job goes back to queued (retry_job) and onto the Queue from its first candidate.
/// false: no attempt left; the caller fails the job (refunded).
Task<bool> retried(Ctx& ctx, const std::string& job_id, const providers::JobState& state, std::string_view source);

/// Runs the job of a message {job_id, candidate, base_url}: claims it, submits it from that
/// candidate on (failing over like POST /jobs), and records how it ended; a job whose every
/// candidate refused it is `failed` (refunded).
Task<> run_queued(Ctx& ctx, const Json& message);

}  // namespace ag::jobs
