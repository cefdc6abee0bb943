#include "jobs/queued.hpp"

#include "core/log.hpp"
#include "crypto/sha256.hpp"
#include "http/base_url.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "jobs/submit.hpp"

namespace ag::jobs {

Task<bool> retried(Ctx& ctx, const std::string& job_id, const providers::JobState& state, std::string_view source) {
  Json detail = {{"source", source}, {"provider_status", state.provider_status}, {"reason", "retry"}};
  if (!co_await retry_job(ctx, job_id, state.id, detail)) co_return false;
  Json message = {
      {"name", kRunQueuedJob}, {"job_id", job_id}, {"candidate", 0}, {"base_url", http::public_base_url(ctx.config())}};
  EffectResult sent = co_await ctx.perform(effect::queue_send(kJobsQueue, message));
  // The job waits on the Queue in vain: its deadline ends it, refunded.
  if (sent.failed())
    log::error("queue send failed",
               {{"request_id", ctx.request_id()}, {"job_id", job_id}, {"error", sent.error_code()}});
  co_return true;
}

Task<> run_queued(Ctx& ctx, const Json& message) {
  auto job_id = string_field(message, "job_id");
  auto first = int_field(message, "candidate");
  if (!job_id || !first || *first < 0) {
    log::error("queue message without its job", {{"request_id", ctx.request_id()}, {"message", message}});
    co_return;
  }
  // A fresh callback token: a fallback provider calling back must present this one.
  std::string webhook_token = ctx.random_hex(32);
  std::optional<ClaimedJob> claimed = co_await claim_queued_job(ctx, *job_id, crypto::sha256_hex(webhook_token));
  if (!claimed) {
    log::info("queued job already taken", {{"request_id", ctx.request_id()}, {"job_id", *job_id}});
    co_return;
  }
  std::vector<Candidate> list = candidates(ctx.config(), claimed->route);
  const auto from = static_cast<std::size_t>(*first);
  if (from >= list.size() || !list[from].provider) {
    Json error = {{"stage", "queue"}, {"code", "provider_not_configured"}};
    co_await record_failed(ctx, *job_id, "queue", std::move(error));
    co_return;
  }
  Submission job{*job_id, claimed->user_id.value_or("admin"), claimed->payload,
                 string_field(message, "base_url").value_or(""), webhook_token};
  Tried tried = co_await try_candidates(ctx, list, from, job, true);
  if (!tried.state) {
    co_await record_failed(ctx, *job_id, "queue", std::move(tried.error));
    co_return;
  }
  const Candidate& ran = list[tried.index];
  co_await update_job_fields(ctx, *job_id, accepted_fields(ran, *tried.state));
  if (!ended(*tried.state)) co_return;  // an asynchronous fallback took it: its callback or a poll ends it
  const JobRow submitted = submitted_row(*job_id, job.owner);
  co_await apply_provider_state(ctx, *ran.provider, submitted, *tried.state, "queue");
}

}  // namespace ag::jobs
