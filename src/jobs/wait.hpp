#pragma once
// POST /jobs with `Prefer: wait=N`: the request stays open while the job runs, looking at it
// now and then (a callback may finish it meanwhile; otherwise a poll of its provider does),
// and answers the finished job if it ends within N seconds.
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"

namespace ag::jobs {

/// The job's row once it has ended, if that happens within `seconds`; nullopt otherwise.
/// Looks after 0.25 s, 0.5 s, then every second: about one statement and one provider poll
/// per second of waiting.
Task<std::optional<JobRow>> ended_within(Ctx& ctx, const std::string& job_id, int seconds);

}  // namespace ag::jobs
