#include "jobs/retention.hpp"

#include <string>
#include <vector>

#include "core/effects.hpp"
#include "core/log.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

// NOTE: one R2 delete takes up to 1,000 keys; 50 jobs of at most 10 files stay well inside it.
constexpr int kJobsPerRun = 50;
constexpr int kEventsPerRun = 1000;

/// Deletes the files of one batch of jobs past retention; marks the jobs once R2 has.
Task<> expire_outputs(Ctx& ctx, std::uint64_t days, RetentionCounts& counts) {
  std::vector<ExpiredOutputs> due = co_await jobs_with_expired_outputs(ctx, days, kJobsPerRun);
  if (due.empty()) co_return;
  std::vector<std::string> ids;
  std::vector<std::string> keys;
  for (const ExpiredOutputs& job : due) {
    ids.push_back(job.job_id);
    keys.insert(keys.end(), job.keys.begin(), job.keys.end());
  }
  if (!keys.empty()) {
    EffectResult deleted = co_await ctx.perform(effect::r2_delete_many(keys));
    if (deleted.failed()) {
      // The jobs stay listed: the next run tries them again.
      log::warn("retention: r2 delete failed", {{"request_id", ctx.request_id()}, {"code", deleted.error_code()}});
      co_return;
    }
  }
  counts.outputs_expired = co_await expire_job_outputs(ctx, ids);
  counts.files_deleted = static_cast<std::int64_t>(keys.size());
}

}  // namespace

Task<RetentionCounts> apply_retention(Ctx& ctx) {
  RetentionCounts counts;
  const std::uint64_t days = ctx.config().get_uint("OUTPUT_RETENTION_DAYS", 30, 0, 36'500);
  if (days > 0) co_await expire_outputs(ctx, days, counts);
  counts.events_pruned = co_await prune_job_events(ctx, "90 days", kEventsPerRun);
  co_return counts;
}

}  // namespace ag::jobs
