#pragma once
// GET /jobs/:id/events: a job's status changes as Server-Sent Events, written while the job runs
// (http/event_stream.hpp). Each `status` event carries the job as GET /jobs/:id shows it, with
// the id of the job_event that made that status, so a client that reconnects with Last-Event-ID
// hears only what it missed. The last event is the finished job with its outputs. Between two
// statuses, a `progress` event (without an id) carries the provider's latest report when it
// changes ({job_id, status, result}: RunPod's progress output, Replicate's logs, ...).
#include <cstdint>
#include <string>

#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// How long one stream stays open: then it closes and the client reconnects (EventSource does
/// by itself, with Last-Event-ID), so no connection holds a Worker forever.
inline constexpr std::int64_t kEventStreamMs = 10 * 60 * 1000;
/// The longest silence on a stream: a comment goes out after it.
inline constexpr std::int64_t kKeepAliveMs = 15 * 1000;

/// Writes the events of job `job_id` after event `seen` (-1: from its current status) until the
/// job ends, the stream's time is up or the client goes. Looks at the job after 0.25 s, 0.5 s,
/// then every second, polling its provider as GET /jobs/:id does.
Task<void> write_job_events(Ctx& ctx, std::string job_id, std::string base_url, std::int64_t seen);

}  // namespace ag::jobs
