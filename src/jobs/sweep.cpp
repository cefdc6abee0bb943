#include "jobs/sweep.hpp"

#include "core/log.hpp"
#include "jobs/poll.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/retention.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

constexpr int kBatch = 50;

Task<TransitionOutcome> apply(Ctx& ctx, const JobRow& job, std::string to, Json detail, Json fields = nullptr) {
  Transition change;
  change.job_id = job.id;
  change.to = std::move(to);
  change.detail = std::move(detail);
  change.fields = std::move(fields);
  co_return co_await transition_job(ctx, change);
}

/// What the deadline pass changed.
struct DeadlineChanges {
  int timed_out = 0;
  int finished = 0;  // recorded as their provider reported them, its callback missed
};

/// Jobs past their deadline. Their provider is asked first: a job it finished whose callback
/// was missed is recorded as it ended (outputs kept, no refund). The rest are timed out,
/// except while the provider cannot be reached, for at most an hour past the deadline.
Task<DeadlineChanges> time_out(Ctx& ctx) {
  std::vector<JobRow> jobs = co_await jobs_past_deadline(ctx, kBatch);
  std::vector<Poll> polls = co_await poll_jobs(ctx, jobs);
  DeadlineChanges changes;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const JobRow& job = jobs[i];
    const Poll& poll = polls[i];
    if (poll.reply.state && ended(*poll.reply.state)) {
      AppliedState applied = co_await apply_provider_state(ctx, *poll.provider, job, *poll.reply.state, "sweep");
      changes.finished += applied.applied ? 1 : 0;
      continue;
    }
    if (poll.reply.unreachable && !job.overdue) continue;
    Json detail = {{"source", "sweep"}, {"reason", "deadline"}};
    TransitionOutcome outcome = co_await apply(ctx, job, "timed_out", std::move(detail));
    if (!outcome.applied) continue;
    ++changes.timed_out;
    // Stop paying for GPU time nobody will collect; the job's fate is already recorded.
    auto cancel = poll.asked() ? poll.provider->cancel_request(*job.provider_job_id) : std::nullopt;
    if (cancel) ctx.wait_until(effect::fetch(*cancel));
  }
  co_return changes;
}

Task<int> poll_stale(Ctx& ctx) {
  const std::uint64_t grace = ctx.config().get_uint("JOB_POLL_GRACE_SECONDS", 120, 10, 86'400);
  std::vector<JobRow> jobs = co_await stale_jobs(ctx, grace, kBatch);
  std::vector<Poll> polls = co_await poll_jobs(ctx, jobs);
  int changed = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const JobRow& job = jobs[i];
    // A job on the Queue waits for its consumer, however long the Queue's backlog: its
    // deadline bounds it. Touched, so the next sweeps look at the others first.
    if (job.status == "queued" && job.on_queue) {
      co_await update_job_fields(ctx, job.id, Json::object());
      continue;
    }
    if (job.status == "queued") {
      Json detail = {{"source", "sweep"}, {"reason", "never submitted"}};
      Json error = {{"error", {{"stage", "submit"}, {"message", "the job never reached the provider"}}}};
      TransitionOutcome outcome = co_await apply(ctx, job, "error", std::move(detail), std::move(error));
      changed += outcome.applied ? 1 : 0;
      continue;
    }
    if (!polls[i].asked()) continue;
    if (auto applied = co_await apply_poll(ctx, job, polls[i], "sweep")) {
      changed += applied->applied ? 1 : 0;
      continue;
    }
    // Unchanged, or the provider unreachable or no longer knowing the job (RunPod keeps
    // results for 30 min; the deadline decides then): touch the job so the next sweeps poll
    // the others first instead of this batch forever.
    const auto& state = polls[i].reply.state;
    Json fields = state ? Json{{"result", state->body}} : Json::object();
    co_await update_job_fields(ctx, job.id, fields);
  }
  co_return changed;
}

}  // namespace

Task<Json> sweep(Ctx& ctx) {
  DeadlineChanges deadline = co_await time_out(ctx);
  int polled_changes = co_await poll_stale(ctx);
  std::int64_t pruned = co_await prune_idempotency_keys(ctx);
  RetentionCounts retention = co_await apply_retention(ctx);
  co_return Json{{"timed_out", deadline.timed_out},
                 {"changed_by_poll", polled_changes + deadline.finished},
                 {"pruned_keys", pruned},
                 {"outputs_expired", retention.outputs_expired},
                 {"output_files_deleted", retention.files_deleted},
                 {"job_events_pruned", retention.events_pruned}};
}

}  // namespace ag::jobs
