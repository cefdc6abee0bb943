// The provider is asked first: a job we marked cancelled but the provider kept running would
// burn GPU time for nothing. RunPod answers the cancel of a job it has already finished with
// that job's own status, so a cancel that lost the race records the completion (outputs kept,
// no refund) or the failure, and answers 409 like any cancel of a finished job.
#include "jobs/cancel.hpp"

#include "core/log.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/poll.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

ApiError already_finished(std::string_view status) {
  return errors::conflict("the job has already finished: " + std::string(status));
}

/// Asks the provider to cancel and applies its answer. Returns normally only when it says the
/// job is cancelled (or the job has no provider side); raises otherwise.
Task<> cancel_at_provider(Ctx& ctx, const JobRow& job) {
  auto provider = provider_for_job(ctx.config(), job);
  auto provider_job_id = job.provider_job_id.value_or("");
  auto request = provider ? provider->cancel_request(provider_job_id) : std::nullopt;
  if (!request) co_return;
  EffectResult reply = co_await ctx.perform(effect::fetch(*request));
  auto state = provider->cancel_reply(reply);
  if (state && state->status == "cancelled") co_return;
  // A completion reported without its output: the outputs are what was paid for, so they are
  // read from the job's status before the job is recorded completed.
  auto status_request = provider->status_request(provider_job_id);
  if (state && state->status == "completed" && provider->output(*state).is_null() && status_request) {
    EffectResult full = co_await ctx.perform(effect::fetch(*status_request));
    state = provider->status_reply(full, provider_job_id).state;
    if (state) state = (co_await with_result(ctx, *provider, std::move(*state))).state;
  }
  if (state && ended(*state)) {
    AppliedState applied = co_await apply_provider_state(ctx, *provider, job, *state, "cancel");
    const std::string now = applied.status.empty() ? *state->status : applied.status;
    co_await ctx.raise(already_finished(now));
  }
  log::warn("provider cancel failed", {{"request_id", ctx.request_id()},
                                       {"provider", provider->name()},
                                       {"status", reply.http_status()},
                                       {"reported", state ? state->status.value_or("") : ""},
                                       {"error", reply.error_code()}});
  co_await ctx.raise(errors::provider_error("the GPU provider did not confirm the cancellation; retry"));
}

}  // namespace

Task<std::int64_t> cancel(Ctx& ctx, const JobRow& job) {
  if (!is_open(job.status)) co_await ctx.raise(already_finished(job.status));
  // A queued job is either on the Queue (enqueued_at set), where nothing has reached its provider
  // and the consumer's claim will find it cancelled, or being submitted by the request that
  // created it: then its provider id is not known yet, a cancel could not reach the provider and
  // the job would run unpaid. The sweep ends a submission that never returns.
  if (job.status == "queued" && !job.on_queue)
    co_await ctx.raise(errors::conflict("the job is still being submitted to its provider; retry in a few seconds"));
  if (job.status != "queued") co_await cancel_at_provider(ctx, job);

  Transition change;
  change.job_id = job.id;
  change.to = "cancelled";
  change.detail = Json{{"source", "cancel"}};
  TransitionOutcome outcome = co_await transition_job(ctx, change);
  // The webhook or the sweep may have finished the job meanwhile: theirs stands. RunPod's own
  // CANCELLED callback often lands first, and then the cancel did happen.
  if (!outcome.applied && outcome.status != "cancelled") co_await ctx.raise(already_finished(outcome.status));
  co_return outcome.refunded;
}

}  // namespace ag::jobs
