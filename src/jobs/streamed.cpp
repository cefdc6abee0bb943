#include "jobs/streamed.hpp"

#include "core/log.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

Task<Opened> open_stream(Ctx& ctx, std::vector<Candidate> candidates, const Submission& job) {
  Opened opened;
  if (candidates.empty() || !candidates[0].provider) co_return opened;
  Candidate& first = candidates[0];
  std::optional<effect::FetchSpec> request =
      first.provider->stream_request(provider_input(job.request, first.model, false));
  if (!request) co_return opened;
  EffectResult reply = co_await ctx.perform(effect::fetch(*request));
  const std::optional<std::int64_t> body = int_field(reply.value, "handle");
  const int status = reply.http_status();
  if (reply.failed() || !body || status < 200 || status > 299) {
    log::warn("provider submission failed", {{"request_id", ctx.request_id()},
                                             {"provider", first.provider->name()},
                                             {"model", first.model},
                                             {"job_id", job.job_id},
                                             {"status", status},
                                             {"error", reply.error_code()}});
    Json error = {{"stage", "submit"}, {"http_status", status}, {"code", reply.error_code()}};
    opened.refused = co_await record_refused(ctx, job, first, std::move(error));
    co_return opened;
  }
  providers::JobState state;
  state.id = reply.http_header("x-request-id").value_or("");
  state.provider_status = "streaming";
  state.status = "submitted";
  state.body = Json::object();
  co_await record_accepted(ctx, job, first, state);
  Json abandoned = {{"name", kAbandonedStream}, {"job_id", job.job_id}};
  ctx.run_if_cancelled(std::move(abandoned));
  opened.streaming = Streaming{job.job_id, job.owner, state.id, std::move(first), *body};
  co_return opened;
}

Task<> complete_stream(Ctx& ctx, const Streaming& job, const Json& completion) {
  providers::JobState state;
  state.id = job.provider_job_id;
  state.provider_status = "completed";
  state.status = "completed";
  state.body = completion;
  const JobRow submitted = submitted_row(job.job_id, job.owner);
  co_await apply_provider_state(ctx, *job.candidate.provider, submitted, state, "stream");
}

Task<> abandon_stream(Ctx& ctx, const std::string& job_id) {
  Transition change;
  change.job_id = job_id;
  change.to = "cancelled";
  change.detail = Json{{"source", "stream"}, {"reason", "client_gone"}};
  co_await transition_job(ctx, change);
}

}  // namespace ag::jobs
