#pragma once
// RunPod's view of a job, however it arrived (a GET poll, RunPod's callback, the cron
// sweep), applied one way: the transition it implies, and on completion the outputs copied
// into R2 and recorded. Whoever applies `completed` first copies; the others see
// applied=false and do nothing.
#include <optional>
#include <string_view>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "providers/runpod.hpp"

namespace ag::jobs {

/// How to reach the RunPod job behind `row` (a job at provider "runpod" with a
/// provider_job_id): RunPod's settings aimed at the job's own endpoint. nullopt for other jobs
/// or when RunPod is not configured.
std::optional<runpod::Settings> runpod_for_job(const Config& config, const Json& row);

/// What a client may see of RunPod's `state` for a job recorded as `recorded_status`: all of
/// it, except the output of a job RunPod finished that is not recorded completed (a cancel or
/// a failure won the race: that output was not paid for). An open job's progress shows.
Json shown_result(const runpod::JobState& state, std::string_view recorded_status);

/// transition_job's answer `{applied, status, refunded}`, plus `outputs` when this call
/// completed the job. A RunPod status outside the lifecycle changes nothing.
Task<Json> apply_provider_state(Ctx& ctx, const Json& row, const runpod::JobState& state, std::string_view source);

}  // namespace ag::jobs
