#include "jobs/sweep.hpp"

#include "core/log.hpp"
#include "db/query.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/retention.hpp"
#include "jobs/store.hpp"
#include "providers/runpod.hpp"

namespace ag::jobs {
namespace {

constexpr int kBatch = 50;

// The status lists are spelled exactly as the partial indexes of migrations/0002.
constexpr std::string_view kPastDeadline =
    "select id, user_id, status, provider, provider_job_id, provider_endpoint_id, "
    "deadline_at < now() - interval '1 hour' as overdue from public.jobs "
    "where status in ('queued','submitted','running') and deadline_at < now() "
    "order by deadline_at limit $1::integer";
constexpr std::string_view kStale =
    "select id, user_id, status, provider, provider_job_id, provider_endpoint_id from public.jobs "
    "where status in ('queued','submitted','running') and updated_at < now() - $1::interval "
    "order by updated_at limit $2::integer";

Task<Json> apply(Ctx& ctx, const Json& row, std::string to, Json detail, Json fields = nullptr) {
  Transition change;
  change.job_id = string_field(row, "id").value_or("");
  change.to = std::move(to);
  change.detail = std::move(detail);
  change.fields = std::move(fields);
  co_return co_await transition_job(ctx, change);
}

/// What polling RunPod told about one job.
struct Poll {
  bool asked = false;                     // the job has a RunPod side, which was polled
  std::optional<runpod::JobState> state;  // RunPod's answer, when it gave one
  bool unreachable = false;               // no answer worth acting on (network, 429, 5xx)
};

/// Polls RunPod (concurrently) for the jobs of `rows` it runs; one Poll per row, in order.
/// Rows without a RunPod side get a Poll with `asked` false.
Task<std::vector<Poll>> poll(Ctx& ctx, const Json& rows) {
  std::vector<std::size_t> asked;
  std::vector<Json> requests;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (auto settings = runpod_for_job(ctx.config(), rows[i])) {
      asked.push_back(i);
      requests.push_back(effect::fetch(runpod::status_request(*settings, *string_field(rows[i], "provider_job_id"))));
    }
  }
  std::vector<Poll> polls(rows.size());
  if (requests.empty()) co_return polls;
  std::vector<EffectResult> replies = co_await ctx.perform_all(std::move(requests));
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const int status = int_field(replies[k].value, "status").value_or(0);
    Poll& result = polls[asked[k]];
    result.asked = true;
    result.state = runpod::status_reply_state(replies[k], *string_field(rows[asked[k]], "provider_job_id"));
    result.unreachable = status == 0 || status == 429 || status >= 500;
  }
  co_return polls;
}

/// A RunPod state that ends the job, when the poll brought one.
bool finished_at_runpod(const Poll& poll) {
  auto next = poll.state ? runpod::lifecycle_status(poll.state->status) : std::nullopt;
  return next && !is_open(*next);
}

/// What the deadline pass changed.
struct DeadlineChanges {
  int timed_out = 0;
  int finished = 0;  // recorded as RunPod reported them, their callback missed
};

/// Jobs past their deadline. RunPod is asked first: a job it finished whose callback was
/// missed is recorded as it ended (outputs kept, no refund). The rest are timed out, except
/// while RunPod cannot be reached, for at most an hour past the deadline.
Task<DeadlineChanges> time_out(Ctx& ctx) {
  Json params = Json::array({kBatch});
  Json rows = co_await db::query(ctx, kPastDeadline, std::move(params));
  std::vector<Poll> polls = co_await poll(ctx, rows);
  DeadlineChanges changes;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Json& row = rows[i];
    if (finished_at_runpod(polls[i])) {
      Json applied = co_await apply_provider_state(ctx, row, *polls[i].state, "sweep");
      changes.finished += applied.value("applied", false) ? 1 : 0;
      continue;
    }
    if (polls[i].unreachable && !bool_field(row, "overdue").value_or(false)) continue;
    Json detail = {{"source", "sweep"}, {"reason", "deadline"}};
    Json applied = co_await apply(ctx, row, "timed_out", std::move(detail));
    if (!applied.value("applied", false)) continue;
    ++changes.timed_out;
    // Stop paying for GPU time nobody will collect; the job's fate is already recorded.
    if (auto settings = runpod_for_job(ctx.config(), row))
      ctx.wait_until(effect::fetch(runpod::cancel_request(*settings, *string_field(row, "provider_job_id"))));
  }
  co_return changes;
}

Task<int> poll_stale(Ctx& ctx) {
  const std::uint64_t grace = ctx.config().get_uint("JOB_POLL_GRACE_SECONDS", 120, 10, 86'400);
  Json params = Json::array({std::to_string(grace) + " seconds", kBatch});
  Json rows = co_await db::query(ctx, kStale, std::move(params));
  std::vector<Poll> polls = co_await poll(ctx, rows);
  int changed = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Json& row = rows[i];
    if (string_field(row, "status") == "queued") {
      Json detail = {{"source", "sweep"}, {"reason", "never submitted"}};
      Json error = {{"error", {{"stage", "submit"}, {"message", "the job never reached the provider"}}}};
      Json applied = co_await apply(ctx, row, "error", std::move(detail), std::move(error));
      changed += applied.value("applied", false) ? 1 : 0;
      continue;
    }
    if (!polls[i].asked) continue;
    const auto& state = polls[i].state;
    auto next = state ? runpod::lifecycle_status(state->status) : std::nullopt;
    if (!next || *next == string_field(row, "status")) {
      // Unchanged, or RunPod unreachable or no longer knowing the job (it keeps results for
      // 30 min; the deadline decides then): touch the job so the next sweeps poll the others
      // first instead of this batch forever.
      Json fields = state ? Json{{"result", state->body}} : Json::object();
      Json touch = Json::array({string_field(row, "id").value_or(""), dump(fields)});
      co_await db::query(ctx, "select updated, status from public.update_job_fields($1::uuid, $2::jsonb)", std::move(touch));
      continue;
    }
    Json applied = co_await apply_provider_state(ctx, row, *state, "sweep");
    changed += applied.value("applied", false) ? 1 : 0;
  }
  co_return changed;
}

}  // namespace

Task<Json> sweep(Ctx& ctx) {
  DeadlineChanges deadline = co_await time_out(ctx);
  int polled_changes = co_await poll_stale(ctx);
  Json pruned = co_await db::query(ctx, "select public.prune_idempotency_keys('24 hours'::interval) as deleted");
  RetentionCounts retention = co_await apply_retention(ctx);
  co_return Json{{"timed_out", deadline.timed_out},
                 {"changed_by_poll", polled_changes + deadline.finished},
                 {"pruned_keys", pruned.empty() ? Json(0) : pruned[0].value("deleted", Json(0))},
                 {"outputs_expired", retention.outputs_expired},
                 {"output_files_deleted", retention.files_deleted},
                 {"job_events_pruned", retention.events_pruned}};
}

}  // namespace ag::jobs
