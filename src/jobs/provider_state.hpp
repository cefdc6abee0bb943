#pragma once
// A provider's view of a job, however it arrived (a GET poll, the provider's callback, a
// cancel, the cron sweep), applied one way: the transition it implies, and on completion the
// outputs copied into R2 and recorded. Whoever applies `completed` first copies; the others
// see applied=false and do nothing.
#include <memory>
#include <string_view>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"
#include "jobs/store.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// The provider running `job` (one with a provider_job_id), aimed at the job's own endpoint;
/// nullptr for other jobs or when its provider is not configured.
std::unique_ptr<providers::Provider> provider_for_job(const Config& config, const JobRow& job);

/// Whether the provider says the job has ended.
bool ended(const providers::JobState& state);

/// What a client may see of the provider's `state` for a job recorded as `recorded_status`:
/// all of it, except the output of a job the provider finished that is not recorded completed
/// (a cancel or a failure won the race: that output was not paid for). Progress shows.
Json shown_result(const providers::JobState& state, std::string_view recorded_status);

/// What applying a provider's state did: transition_job's outcome, plus the files when this
/// call completed the job. A provider status outside the lifecycle changes nothing. A failure
/// the model may retry is applied as `retried`, the job queued again.
struct AppliedState : TransitionOutcome {
  bool retried = false;
  Json outputs = nullptr;
};

/// Applies the provider's `state` of `job`, as `source` (webhook, poll, sweep, cancel, ...)
/// saw it.
Task<AppliedState> apply_provider_state(Ctx& ctx, const providers::Provider& provider, const JobRow& job,
                                        const providers::JobState& state, std::string_view source);

}  // namespace ag::jobs
