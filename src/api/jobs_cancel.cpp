// POST /jobs/:id/cancel: stops the job at RunPod, then records `cancelled`, which refunds
// the reservation (once, in transition_job). RunPod is asked first: a job we marked
// cancelled but RunPod kept running would burn GPU time for nothing.
#include "api/handlers.hpp"
#include "api/job_access.hpp"
#include "core/log.hpp"
#include "db/row.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "providers/runpod.hpp"

namespace ag::api {

namespace {
Task<> cancel_at_runpod(Ctx& ctx, const Json& row) {
  auto settings = jobs::runpod_for_job(ctx.config(), row);
  if (!settings) co_return;
  auto provider_job_id = string_field(row, "provider_job_id").value_or("");
  EffectResult reply = co_await ctx.perform(effect::fetch(runpod::cancel_request(*settings, provider_job_id)));
  auto status = int_field(reply.value, "status").value_or(0);
  if (status >= 200 && status < 300) co_return;
  log::warn("runpod cancel failed", {{"request_id", ctx.request_id()}, {"status", status}, {"error", reply.error_code()}});
  co_await ctx.raise(errors::provider_error("the GPU provider did not confirm the cancellation; retry"));
}
}  // namespace

Task<Response> cancel_job(Ctx& ctx, const Request& request) {
  Json row = co_await visible_job(ctx, request);
  std::string status = string_field(row, "status").value_or("");
  if (!jobs::is_open(status)) co_await ctx.raise(errors::conflict("the job has already finished: " + status));
  co_await cancel_at_runpod(ctx, row);

  jobs::Transition change;
  change.job_id = string_field(row, "id").value_or("");
  change.to = "cancelled";
  change.detail = Json{{"source", "cancel"}};
  Json applied = co_await jobs::transition_job(ctx, change);
  // The webhook or the sweep may have finished the job meanwhile: theirs stands. RunPod's own
  // CANCELLED callback often lands first, and then the cancel did happen.
  std::string now = string_field(applied, "status").value_or("?");
  if (!applied.value("applied", false) && now != "cancelled")
    co_await ctx.raise(errors::conflict("the job has already finished: " + now));
  co_return json_response(200, {{"ok", true},
                                {"job_id", change.job_id},
                                {"status", "cancelled"},
                                {"refunded", db::integer_column(applied, "refunded").value_or(0)}});
}

}  // namespace ag::api
