#include "jobs/poll.hpp"

#include "core/log.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/provider_state.hpp"

namespace ag::jobs {

std::optional<std::string> Poll::status() const { return reply.state ? reply.state->status : std::nullopt; }

Task<std::vector<Poll>> poll_jobs(Ctx& ctx, const std::vector<JobRow>& jobs) {
  std::vector<Poll> polls(jobs.size());
  std::vector<std::size_t> asked;
  std::vector<Json> requests;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto provider = provider_for_job(ctx.config(), jobs[i]);
    auto request = provider ? provider->status_request(*jobs[i].provider_job_id) : std::nullopt;
    if (!request) continue;
    polls[i].provider = std::move(provider);
    asked.push_back(i);
    requests.push_back(effect::fetch(*request));
  }
  if (requests.empty()) co_return polls;
  std::vector<EffectResult> replies = co_await ctx.perform_all(std::move(requests));
  std::vector<std::size_t> finished;
  std::vector<Json> reads;
  for (std::size_t k = 0; k < replies.size(); ++k) {
    Poll& poll = polls[asked[k]];
    poll.reply = poll.provider->status_reply(replies[k], *jobs[asked[k]].provider_job_id);
    if (!poll.reply.state) continue;
    if (auto read = poll.provider->result_request(*poll.reply.state)) {
      finished.push_back(asked[k]);
      reads.push_back(effect::fetch(*read));
    }
  }
  if (reads.empty()) co_return polls;
  std::vector<EffectResult> results = co_await ctx.perform_all(std::move(reads));
  for (std::size_t k = 0; k < results.size(); ++k) {
    Poll& poll = polls[finished[k]];
    poll.reply = poll.provider->result_reply(results[k], *poll.reply.state);
  }
  co_return polls;
}

Task<providers::Polled> with_result(Ctx& ctx, const providers::Provider& provider, providers::JobState state) {
  auto read = provider.result_request(state);
  if (!read) co_return providers::Polled{std::move(state)};
  EffectResult reply = co_await ctx.perform(effect::fetch(*read));
  co_return provider.result_reply(reply, state);
}

Task<std::optional<AppliedState>> apply_poll(Ctx& ctx, const JobRow& job, const Poll& poll, std::string_view source) {
  auto next = poll.status();
  if (!poll.asked() || !next || *next == job.status) co_return std::nullopt;
  co_return co_await apply_provider_state(ctx, *poll.provider, job, *poll.reply.state, source);
}

Task<JobRow> refreshed(Ctx& ctx, JobRow job) {
  if (!is_open(job.status)) co_return job;
  std::vector<JobRow> one{job};
  std::vector<Poll> polls = co_await poll_jobs(ctx, one);
  const Poll& poll = polls.front();
  if (!poll.asked()) co_return job;
  if (!poll.reply.state) {
    log::warn("provider status failed", {{"request_id", ctx.request_id()}, {"provider", poll.provider->name()}});
    co_return job;
  }
  if (auto applied = co_await apply_poll(ctx, job, poll, "poll")) {
    // Someone else (the webhook, the sweep, a cancel) may have got there first: theirs stands.
    if (!applied->status.empty()) job.status = applied->status;
    if (!applied->outputs.is_null()) job.outputs = applied->outputs;
    job.charged_credits = applied->charged_credits;
  }
  job.result = shown_result(*poll.reply.state, job.status);
  co_return job;
}

}  // namespace ag::jobs
