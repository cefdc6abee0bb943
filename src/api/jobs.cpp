// POST /jobs, POST /jobs/estimate and GET /jobs/:id (API.md "Jobs"). A job is priced from its
// model and input (jobs/quote); then the credits are reserved, the rate limit checked and the
// job recorded in one SQL call, and jobs/submit hands it to its provider.
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "http/prefer.hpp"
#include "api/handlers.hpp"
#include "jobs/view.hpp"
#include "auth/require.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"
#include "assets/signed_url.hpp"
#include "jobs/asset_inputs.hpp"
#include "jobs/quote.hpp"
#include "crypto/sha256.hpp"
#include "credits/store.hpp"
#include "db/row.hpp"
#include "jobs/poll.hpp"
#include "jobs/store.hpp"
#include "jobs/submit.hpp"
#include "jobs/wait.hpp"
#include "jobs/webhook_url.hpp"
#include "jobs/webhooks.hpp"
#include "providers/registry.hpp"

namespace ag::api {

namespace {

constexpr std::size_t kMaxIdempotencyKey = 255;  // characters

/// The request's shape; raises 400 naming the first bad field. Its input is the model's to
/// check (jobs/quote.hpp).
Task<Json> job_request(Ctx& ctx, const Request& request) {
  Json body = co_await http::read_json_object(ctx, request);
  if (body.contains("prompt") && !body["prompt"].is_string())
    co_await ctx.raise(errors::invalid_request("prompt must be a string"));
  if (body.contains("model") && !body["model"].is_string())
    co_await ctx.raise(errors::invalid_request("model must be a string"));
  if (body.contains("input") && !body["input"].is_object())
    co_await ctx.raise(errors::invalid_request("input must be an object"));
  if (body.contains("webhook_url")) {
    auto url = string_field(body, "webhook_url");
    if (!url || !jobs::is_webhook_url(*url))
      co_await ctx.raise(errors::invalid_request("webhook_url must be an https URL"));
    // Unsigned webhooks could not be told from forgeries: refuse rather than send them.
    if (!jobs::webhook_secret(ctx.config(), "admin"))
      co_await ctx.raise(
          errors::invalid_request("webhook_url needs webhook signing (WEBHOOK_SIGNING_SECRET) configured"));
  }
  co_return body;
}

Task<std::optional<std::string>> idempotency_key(Ctx& ctx, const Request& request) {
  auto key = request.header("idempotency-key");
  if (!key) co_return std::nullopt;
  if (key->empty() || code_points(*key) > kMaxIdempotencyKey)
    co_await ctx.raise(errors::invalid_request("Idempotency-Key must be 1 to 255 characters"));
  co_return std::string(*key);
}

/// Answers create_job's refusals; returns normally only for a created job.
Task<> handle_refusal(Ctx& ctx, const Json& created) {
  std::string outcome = string_field(created, "outcome").value_or("");
  if (outcome == "created" || outcome == "replay") co_return;
  if (outcome == "insufficient_credits")
    co_await ctx.raise(errors::insufficient_credits(db::integer_column(created, "balance").value_or(0),
                                                    db::integer_column(created, "required").value_or(0)));
  if (outcome == "rate_limited")
    co_await ctx.raise(errors::rate_limited(db::integer_column(created, "retry_after_s").value_or(60)));
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
Json job_payload(const Json& body, const jobs::Quote& quote) {
  Json payload = {{"input", quote.fields}, {"provider_input", quote.provider_input}};
  if (!quote.terms.is_null()) payload["terms"] = quote.terms;
  for (const char* field : {"model", "webhook_url"})
    if (body.contains(field)) payload[field] = body[field];
  return payload;
}

/// The job `body` asks for, priced, its asset inputs linked until the job's deadline.
Task<jobs::Quote> priced(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body, bool fresh) {
  jobs::Quote quote = co_await jobs::quote(ctx, body, fresh);
  const std::int64_t links_expire_s = ctx.now_ms() / 1000 + static_cast<std::int64_t>(job_deadline_s(ctx.config()));
  co_await jobs::link_assets(ctx, caller, http::public_base_url(ctx.config(), request), links_expire_s, quote);
  co_return quote;
}

/// create_job's row for `job` once priced. The isolate's copy of the models may be older than
/// the model's row: then the job is priced again from the row.
Task<Json> priced_and_recorded(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                               jobs::NewJob& job) {
  Json created;
  for (int attempt = 0; attempt < 2; ++attempt) {
    jobs::Quote quote = co_await priced(ctx, caller, request, body, attempt > 0);
    job.model = quote.model;
    job.cost_credits = quote.cost_credits;
    job.model_revision = quote.revision;
    job.payload = job_payload(body, quote);
    created = co_await jobs::create_job(ctx, job);
    if (string_field(created, "outcome") != "model_changed") break;
  }
  co_return created;
}

/// What a running or queued job's answer shows of its charge.
Json charge_of(const Json& created) {
  auto balance = db::integer_column(created, "balance");
  return {{"cost_credits", db::integer_column(created, "cost_credits").value_or(0)},
          {"balance", balance ? Json(*balance) : Json(nullptr)}};
}

}  // namespace

/// POST /jobs/estimate: what POST /jobs with this body would cost and whether the caller can
/// pay it; nothing is charged.
Task<Response> estimate_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  Json body = co_await job_request(ctx, request);
  jobs::Quote quote = co_await priced(ctx, caller, request, body, false);
  const std::vector<std::string> accepting = providers::accepting(ctx.config());
  if (std::find(accepting.begin(), accepting.end(), quote.provider) == accepting.end())
    co_await ctx.raise(errors::model_unavailable());
  Json balance = nullptr;
  bool affordable = true;  // admin jobs are free
  if (caller.user) {
    const std::uint64_t welcome = credits::welcome_credits(ctx.config(), *caller.user);
    credits::CreditsOverview overview = co_await credits::credits_overview(ctx, caller.user->id, welcome, 0);
    balance = overview.balance;
    affordable = overview.balance >= quote.cost_credits;
  }
  co_return json_response(200, {{"ok", true},
                                {"model", quote.model},
                                {"cost_credits", quote.cost_credits},
                                {"balance", std::move(balance)},
                                {"affordable", affordable}});
}

/// POST /jobs: price, reserve, record, submit (or the noop without RunPod).
Task<Response> create_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::optional<std::string> key = co_await idempotency_key(ctx, request);
  Json body = co_await job_request(ctx, request);

  const Config& config = ctx.config();
  // The model, and so its provider, is known once the job is recorded: every job gets a token.
  std::string webhook_token = ctx.random_hex(32);
  jobs::NewJob job;
  if (caller.user) job.user_id = caller.user->id;
  job.jobs_per_hour = config.get_uint("JOBS_PER_HOUR", 10, 0, 1'000'000);
  job.welcome_credits = caller.user ? credits::welcome_credits(config, *caller.user) : 0;
  job.idempotency_scope = caller.user ? caller.user->id : "admin";
  job.idempotency_key = key;
  job.request_hash = crypto::sha256_hex(dump(body));
  job.deadline_s = job_deadline_s(config);
  job.webhook_token_hash = crypto::sha256_hex(webhook_token);
  job.providers = providers::accepting(config);

  Json created = co_await priced_and_recorded(ctx, caller, request, body, job);
  co_await handle_refusal(ctx, created);
  if (string_field(created, "outcome") == "replay") {
    Response replay = json_response(int_field(created, "response_status").value_or(200), created["response_body"]);
    replay.set_header("idempotent-replayed", "true");
    co_return replay;
  }
  std::string job_id = string_field(created, "job_id").value_or("");

  jobs::Submission submission{job_id,        caller.user ? caller.user->id : "admin",
                              job.payload,   http::public_base_url(config, request),
                              webhook_token, charge_of(created)};
  jobs::Answer answer = co_await jobs::submit(ctx, jobs::candidates(config, created), submission);
  // A job that is running (200) or on the Queue (202 queued) can be waited for; the noop and
  // refusals answer at once.
  const bool waitable = answer.status == 200 || answer.body.value("status", "") == "queued";
  if (auto wait_s = http::wait_preference(request.header("prefer")); wait_s && waitable) {
    std::optional<Json> ended = co_await jobs::ended_within(ctx, job_id, *wait_s);
    if (ended) {
      Response done =
          json_response(200, jobs::shown_job(config, submission.public_base_url, *ended, ctx.now_ms() / 1000));
      done.set_header("preference-applied", "wait=" + std::to_string(*wait_s));
      co_return done;
    }
  }
  co_return json_response(answer.status, std::move(answer.body));
}

/// GET /jobs/:id: the job, refreshed from its provider while it is open; its outputs carry
/// short-lived signed download links.
Task<Response> get_job(Ctx& ctx, const Request& request) {
  Json row = co_await jobs::visible_job(ctx, request);
  Json current = co_await jobs::refreshed(ctx, std::move(row));
  co_return json_response(
      200, jobs::shown_job(ctx.config(), http::public_base_url(ctx.config(), request), current, ctx.now_ms() / 1000));
}

}  // namespace ag::api
