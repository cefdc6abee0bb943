#include "jobs/retention.hpp"

#include <string>
#include <vector>

#include "core/effects.hpp"
#include "core/log.hpp"
#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::jobs {
namespace {

// NOTE: one R2 delete takes up to 1,000 keys; 50 jobs of at most 10 files stay well inside it.
constexpr int kJobsPerRun = 50;
constexpr int kEventsPerRun = 1000;

constexpr std::string_view kDue = "select id, keys from public.jobs_with_expired_outputs($1::integer, $2::integer)";
constexpr std::string_view kExpire = "select public.expire_job_outputs($1::jsonb) as expired";
constexpr std::string_view kPruneEvents = "select public.prune_job_events($1::interval, $2::integer) as deleted";

std::int64_t first_integer(const Json& rows, std::string_view column) {
  return rows.size() == 1 ? db::integer_column(rows[0], column).value_or(0) : 0;
}

/// Deletes the files of one batch of jobs past retention; marks the jobs once R2 has.
Task<> expire_outputs(Ctx& ctx, std::uint64_t days, RetentionCounts& counts) {
  Json params = Json::array({days, kJobsPerRun});
  Json due = co_await db::query(ctx, kDue, std::move(params));
  if (due.empty()) co_return;
  Json ids = Json::array();
  std::vector<std::string> keys;
  for (const Json& job : due) {
    ids.push_back(job.value("id", ""));
    for (const Json& key : job.value("keys", Json::array()))
      if (key.is_string()) keys.push_back(key.get<std::string>());
  }
  if (!keys.empty()) {
    EffectResult deleted = co_await ctx.perform(effect::r2_delete_many(keys));
    if (deleted.failed()) {
      // The jobs stay listed: the next run tries them again.
      log::warn("retention: r2 delete failed", {{"request_id", ctx.request_id()}, {"code", deleted.error_code()}});
      co_return;
    }
  }
  Json expire = Json::array({dump(ids)});
  counts.outputs_expired = first_integer(co_await db::query(ctx, kExpire, std::move(expire)), "expired");
  counts.files_deleted = static_cast<std::int64_t>(keys.size());
}

}  // namespace

Task<RetentionCounts> apply_retention(Ctx& ctx) {
  RetentionCounts counts;
  const std::uint64_t days = ctx.config().get_uint("OUTPUT_RETENTION_DAYS", 30, 0, 36'500);
  if (days > 0) co_await expire_outputs(ctx, days, counts);
  Json params = Json::array({"90 days", kEventsPerRun});
  counts.events_pruned = first_integer(co_await db::query(ctx, kPruneEvents, std::move(params)), "deleted");
  co_return counts;
}

}  // namespace ag::jobs
