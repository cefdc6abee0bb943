#include "jobs/wait.hpp"

#include <algorithm>

#include "core/effects.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/poll.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

Task<std::optional<JobRow>> ended_within(Ctx& ctx, const std::string& job_id, int seconds) {
  // NOTE: the task's clock stands still (as a Worker's does between I/O): the wait is counted
  // in the sleeps asked for, so the polls' own time comes on top.
  const std::int64_t total_ms = static_cast<std::int64_t>(seconds) * 1000;
  std::int64_t waited_ms = 0;
  std::int64_t step_ms = 250;
  while (waited_ms < total_ms) {
    const std::int64_t sleep_ms = std::min(step_ms, total_ms - waited_ms);
    co_await ctx.perform(effect::sleep(sleep_ms));
    waited_ms += sleep_ms;
    step_ms = std::min<std::int64_t>(step_ms * 2, 1000);
    std::optional<JobRow> job = co_await find_job(ctx, job_id);
    if (!job) co_return std::nullopt;
    JobRow current = co_await refreshed(ctx, std::move(*job));
    // Ended: answered as stored (whoever finished it, with when and its files).
    if (!is_open(current.status)) co_return co_await find_job(ctx, job_id);
  }
  co_return std::nullopt;
}

}  // namespace ag::jobs
