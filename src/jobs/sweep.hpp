#pragma once
// The cron sweep (every 5 minutes): the backstop for RunPod callbacks that never came.
//  1. jobs past their deadline are timed out (refunded; cancelled at RunPod, best effort);
//  2. jobs open and untouched for JOB_POLL_GRACE_SECONDS (default 120) are polled, their
//     changes recorded; jobs still `queued` by then never reached RunPod and become `error`;
//  3. idempotency keys older than 24 h are pruned;
//  4. retention (jobs/retention.hpp): old jobs' files and old job events are deleted.
// Every change goes through transition_job, so racing the webhook or a GET is safe.
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// Runs one sweep; returns counts for the log line.
Task<Json> sweep(Ctx& ctx);

}  // namespace ag::jobs
