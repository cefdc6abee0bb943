#pragma once
// The callbacks providers send when a job ends (POST /webhooks/<provider>/:job_id?token=...).
// Each job's URL carries its own random token, whose SHA-256 the job row keeps: for RunPod,
// which signs nothing, it is the whole proof; Replicate's callbacks are signed as well.
// Deliveries may repeat and race the poll and the cron sweep: transition_job applies each
// change once.
#include <optional>
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// The job `job_id` names when `token` is its callback token (compared in constant time);
/// nullopt otherwise: an unknown job and a wrong token look the same from outside.
Task<std::optional<JobRow>> find_callback_job(Ctx& ctx, std::string_view job_id,
                                              const std::optional<std::string>& token);

/// Applies a callback's `body` to `job`; raises 400 unless it is a state of this job. Returns
/// the callback's answer: `{ok, received, applied, status}`.
Task<Json> apply_callback(Ctx& ctx, const providers::Provider& provider, const JobRow& job, std::string_view body);

}  // namespace ag::jobs
