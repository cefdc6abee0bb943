#include "jobs/start.hpp"

#include "assets/signed_url.hpp"
#include "core/log.hpp"
#include "credits/store.hpp"
#include "crypto/sha256.hpp"
#include "http/base_url.hpp"
#include "jobs/asset_inputs.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"

namespace ag::jobs {
namespace {

/// Answers create_job's refusals; returns normally only for a created job or a replay.
Task<> handle_refusal(Ctx& ctx, const CreatedJob& created) {
  const std::string& outcome = created.outcome;
  if (outcome == "created" || outcome == "replay") co_return;
  if (outcome == "insufficient_credits")
    co_await ctx.raise(errors::insufficient_credits(created.balance.value_or(0), created.required));
  if (outcome == "rate_limited") co_await ctx.raise(errors::rate_limited(created.retry_after_s));
  if (outcome == "unknown_model") co_await ctx.raise(errors::invalid_request("unknown or disabled model"));
  if (outcome == "model_unavailable") co_await ctx.raise(errors::model_unavailable());
  if (outcome == "model_changed")
    co_await ctx.raise(errors::conflict("the model changed while the job was priced; send it again"));
  if (outcome == "in_progress")
    co_await ctx.raise(errors::conflict("a request with this Idempotency-Key is still being processed"));
  if (outcome == "idempotency_key_reused") co_await ctx.raise(errors::idempotency_key_reused());
  log::error("create_job answered an unknown outcome", {{"request_id", ctx.request_id()}, {"outcome", outcome}});
  co_await ctx.raise(errors::internal());
}

/// How long a job may run (JOB_TIMEOUT_SECONDS): its deadline, and how long its asset inputs' links last.
std::uint64_t job_deadline_s(const Config& config) {
  return config.get_uint("JOB_TIMEOUT_SECONDS", 7200, 60, assets::kMaxSignedUrlSeconds);
}

/// What the job records of its request: the input as priced, as its provider gets it, where
/// its webhook goes, and the terms a usage-priced job is settled by.
Json job_payload(const Json& body, const Quote& quote) {
  Json payload = {{"input", quote.fields}, {"provider_input", quote.provider_input}};
  if (!quote.terms.is_null()) payload["terms"] = quote.terms;
  for (const char* field : {"model", "webhook_url"})
    if (body.contains(field)) payload[field] = body[field];
  return payload;
}

/// create_job's row for `job` once priced. The isolate's copy of the models may be older than
/// the model's row: then the job is priced again from the row.
Task<CreatedJob> priced_and_recorded(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                                     NewJob& job) {
  CreatedJob created;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Quote quote = co_await priced(ctx, caller, request, body, attempt > 0);
    job.model = quote.model;
    job.cost_credits = quote.cost_credits;
    job.model_revision = quote.revision;
    job.payload = job_payload(body, quote);
    created = co_await create_job(ctx, job);
    if (created.outcome != "model_changed") break;
  }
  co_return created;
}

/// What a running or queued job's answer shows of its charge.
Json charge_of(const CreatedJob& created) {
  return {{"cost_credits", created.cost_credits},
          {"balance", created.balance ? Json(*created.balance) : Json(nullptr)}};
}

}  // namespace

Task<Quote> priced(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body, bool fresh) {
  Quote quote = co_await jobs::quote(ctx, body, fresh);
  const std::int64_t links_expire_s = ctx.now_ms() / 1000 + static_cast<std::int64_t>(job_deadline_s(ctx.config()));
  co_await link_assets(ctx, caller, http::public_base_url(ctx.config(), request), links_expire_s, quote);
  co_return quote;
}

Task<Created> create(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                     const std::optional<std::string>& idempotency_key) {
  const Config& config = ctx.config();
  // The model, and so its provider, is known once the job is recorded: every job gets a token.
  std::string webhook_token = ctx.random_hex(32);
  NewJob job;
  if (caller.user) job.user_id = caller.user->id;
  job.jobs_per_hour = config.get_uint("JOBS_PER_HOUR", 10, 0, 1'000'000);
  job.text_per_minute = config.get_uint("TEXT_REQUESTS_PER_MINUTE", 60, 0, 1'000'000);
  job.welcome_credits = caller.user ? credits::welcome_credits(config, *caller.user) : 0;
  job.idempotency_scope = caller.user ? caller.user->id : "admin";
  job.idempotency_key = idempotency_key;
  job.request_hash = crypto::sha256_hex(dump(body));
  job.deadline_s = job_deadline_s(config);
  job.webhook_token_hash = crypto::sha256_hex(webhook_token);
  job.providers = providers::accepting(config);

  CreatedJob recorded = co_await priced_and_recorded(ctx, caller, request, body, job);
  co_await handle_refusal(ctx, recorded);
  Created created;
  created.route = recorded.route;
  Started& started = created.started;
  started.public_base_url = http::public_base_url(config, request);
  if (recorded.outcome == "replay") {
    started.replay = true;
    started.answer = {recorded.response_status, recorded.response_body};
    started.job_id = string_field(started.answer.body, "job_id").value_or("");
    co_return created;
  }
  started.job_id = recorded.job_id;
  created.submission = {started.job_id, caller.user ? caller.user->id : "admin",
                        job.payload,    started.public_base_url,
                        webhook_token,  charge_of(recorded)};
  co_return created;
}

Task<Started> submit_created(Ctx& ctx, Created created, bool in_request) {
  if (created.started.replay) co_return created.started;
  created.submission.in_request = in_request;
  created.started.answer = co_await submit(ctx, candidates(ctx.config(), created.route), created.submission);
  co_return created.started;
}

Task<Started> start_job(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                        const std::optional<std::string>& idempotency_key) {
  Created created = co_await create(ctx, caller, request, body, idempotency_key);
  co_return co_await submit_created(ctx, std::move(created), false);
}

}  // namespace ag::jobs
