// POST /jobs/:id/cancel: stops the job at RunPod, then records what RunPod reports. RunPod
// is asked first: a job we marked cancelled but RunPod kept running would burn GPU time for
// nothing. RunPod answers the cancel of a job it has already finished with that job's own
// status, so a cancel that lost the race records the completion (outputs kept, no refund) or
// the failure, and answers 409 like any cancel of a finished job.
#include "api/handlers.hpp"
#include "jobs/view.hpp"
#include "core/log.hpp"
#include "db/row.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "providers/runpod.hpp"

namespace ag::api {

namespace {

ApiError already_finished(std::string_view status) {
  return errors::conflict("the job has already finished: " + std::string(status));
}

std::optional<runpod::JobState> job_state(const EffectResult& reply) {
  auto status = int_field(reply.value, "status").value_or(0);
  return status >= 200 && status < 300 ? runpod::parse_job_state(reply.body) : std::nullopt;
}

/// Asks RunPod to cancel and applies its answer. Returns normally only when RunPod says the
/// job is cancelled (or the job has no RunPod side); raises otherwise.
Task<> cancel_at_runpod(Ctx& ctx, const Json& row) {
  auto settings = jobs::runpod_for_job(ctx.config(), row);
  if (!settings) co_return;
  auto provider_job_id = string_field(row, "provider_job_id").value_or("");
  EffectResult reply = co_await ctx.perform(effect::fetch(runpod::cancel_request(*settings, provider_job_id)));
  auto state = job_state(reply);
  auto reported = state ? runpod::lifecycle_status(state->status) : std::nullopt;
  if (reported == "cancelled") co_return;
  // A completion reported without its output: the outputs are what was paid for, so they are
  // read from /status before the job is recorded completed.
  if (reported == "completed" && !state->body.contains("output")) {
    EffectResult full = co_await ctx.perform(effect::fetch(runpod::status_request(*settings, provider_job_id)));
    state = runpod::status_reply_state(full, provider_job_id);
    reported = state ? runpod::lifecycle_status(state->status) : std::nullopt;
  }
  if (reported && !jobs::is_open(*reported)) {
    Json applied = co_await jobs::apply_provider_state(ctx, row, *state, "cancel");
    co_await ctx.raise(already_finished(string_field(applied, "status").value_or(*reported)));
  }
  log::warn("runpod cancel failed", {{"request_id", ctx.request_id()},
                                     {"status", int_field(reply.value, "status").value_or(0)},
                                     {"reported", reported.value_or("")},
                                     {"error", reply.error_code()}});
  co_await ctx.raise(errors::provider_error("the GPU provider did not confirm the cancellation; retry"));
}

}  // namespace

Task<Response> cancel_job(Ctx& ctx, const Request& request) {
  Json row = co_await jobs::visible_job(ctx, request);
  std::string status = string_field(row, "status").value_or("");
  if (!jobs::is_open(status)) co_await ctx.raise(already_finished(status));
  // A queued job is being submitted: its RunPod id is not known yet, so a cancel could not
  // reach RunPod and the job would run unpaid. The sweep ends a submission that never returns.
  if (status == "queued")
    co_await ctx.raise(errors::conflict("the job is still being submitted to its provider; retry in a few seconds"));
  co_await cancel_at_runpod(ctx, row);

  jobs::Transition change;
  change.job_id = string_field(row, "id").value_or("");
  change.to = "cancelled";
  change.detail = Json{{"source", "cancel"}};
  Json applied = co_await jobs::transition_job(ctx, change);
  // The webhook or the sweep may have finished the job meanwhile: theirs stands. RunPod's own
  // CANCELLED callback often lands first, and then the cancel did happen.
  std::string now = string_field(applied, "status").value_or("?");
  if (!applied.value("applied", false) && now != "cancelled") co_await ctx.raise(already_finished(now));
  co_return json_response(200, {{"ok", true},
                                {"job_id", change.job_id},
                                {"status", "cancelled"},
                                {"refunded", db::integer_column(applied, "refunded").value_or(0)}});
}

}  // namespace ag::api
