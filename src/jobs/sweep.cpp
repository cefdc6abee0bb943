#include "jobs/sweep.hpp"

#include "core/log.hpp"
#include "db/query.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "providers/runpod.hpp"

namespace ag::jobs {
namespace {

constexpr int kBatch = 50;

// The status lists are spelled exactly as the partial indexes of migrations/0002.
constexpr std::string_view kPastDeadline =
    "select id, user_id, status, provider, provider_job_id, provider_endpoint_id from public.jobs "
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

Task<int> time_out(Ctx& ctx) {
  Json params = Json::array({kBatch});
  Json rows = co_await db::query(ctx, kPastDeadline, std::move(params));
  int changed = 0;
  for (const Json& row : rows) {
    Json detail = {{"source", "sweep"}, {"reason", "deadline"}};
    Json applied = co_await apply(ctx, row, "timed_out", std::move(detail));
    if (!applied.value("applied", false)) continue;
    ++changed;
    // Stop paying for GPU time nobody will collect; the job's fate is already recorded.
    if (auto settings = runpod_for_job(ctx.config(), row))
      ctx.wait_until(effect::fetch(runpod::cancel_request(*settings, *string_field(row, "provider_job_id"))));
  }
  co_return changed;
}

Task<int> poll_stale(Ctx& ctx) {
  const std::uint64_t grace = ctx.config().get_uint("JOB_POLL_GRACE_SECONDS", 120, 10, 86'400);
  Json params = Json::array({std::to_string(grace) + " seconds", kBatch});
  Json rows = co_await db::query(ctx, kStale, std::move(params));

  std::vector<const Json*> polled;
  std::vector<Json> requests;
  int changed = 0;
  for (const Json& row : rows) {
    if (string_field(row, "status") == "queued") {
      Json detail = {{"source", "sweep"}, {"reason", "never submitted"}};
      Json error = {{"error", {{"stage", "submit"}, {"message", "the job never reached the provider"}}}};
      Json applied = co_await apply(ctx, row, "error", std::move(detail), std::move(error));
      changed += applied.value("applied", false) ? 1 : 0;
    } else if (auto settings = runpod_for_job(ctx.config(), row)) {
      polled.push_back(&row);
      requests.push_back(effect::fetch(runpod::status_request(*settings, *string_field(row, "provider_job_id"))));
    }
  }
  if (requests.empty()) co_return changed;
  std::vector<EffectResult> replies = co_await ctx.perform_all(std::move(requests));
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Json& row = *polled[i];
    auto state = int_field(replies[i].value, "status") == 200 ? runpod::parse_job_state(replies[i].body) : std::nullopt;
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
  int timed_out = co_await time_out(ctx);
  int polled_changes = co_await poll_stale(ctx);
  Json pruned = co_await db::query(ctx, "select public.prune_idempotency_keys('24 hours'::interval) as deleted");
  co_return Json{{"timed_out", timed_out},
                 {"changed_by_poll", polled_changes},
                 {"pruned_keys", pruned.empty() ? Json(0) : pruned[0].value("deleted", Json(0))}};
}

}  // namespace ag::jobs
