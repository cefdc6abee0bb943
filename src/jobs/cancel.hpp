#pragma once
// Cancelling a job: its provider is asked first, then the cancel is recorded.
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"

namespace ag::jobs {

/// Cancels the open `job` and returns the credits it refunded. Raises 409 when the job
/// has finished (or is still being submitted, or its provider reports it finished), 502 when
/// the provider does not confirm.
Task<std::int64_t> cancel(Ctx& ctx, const JobRow& job);

}  // namespace ag::jobs
