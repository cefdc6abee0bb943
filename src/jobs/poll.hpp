#pragma once
// Asking providers about open jobs: one request per job, all at once, and what a poll that
// brought news changes. GET /jobs/:id polls its job; the cron sweep polls stale ones.
#include <memory>
#include <optional>
#include <vector>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"
#include "jobs/provider_state.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// One job's poll.
struct Poll {
  std::unique_ptr<providers::Provider> provider;  // null: the job has no provider side to ask
  providers::Polled reply;                        // what the provider said (when asked)

  bool asked() const { return provider != nullptr; }
  /// The lifecycle status the provider reports, when it reported one.
  std::optional<std::string> status() const;
};

/// Polls the providers of `jobs` concurrently; one Poll per job, in order. A state that ends
/// without its result (Provider::result_request) has the result read too.
Task<std::vector<Poll>> poll_jobs(Ctx& ctx, const std::vector<JobRow>& jobs);

/// `state` with its result read when the provider reported the end without it; `state` as it
/// is otherwise.
Task<providers::Polled> with_result(Ctx& ctx, const providers::Provider& provider, providers::JobState state);

/// Records a poll of `job` that reports another status than the recorded one:
/// apply_provider_state's answer, or nullopt when the poll changes nothing.
Task<std::optional<AppliedState>> apply_poll(Ctx& ctx, const JobRow& job, const Poll& poll, std::string_view source);

/// `job`, refreshed from its provider while it is open: the provider's answer is its `result`
/// either way; a failed poll leaves the job as it was.
Task<JobRow> refreshed(Ctx& ctx, JobRow job);

}  // namespace ag::jobs
