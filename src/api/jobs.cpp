// POST /jobs and GET /jobs/:id (API.md "Jobs"). Credits are reserved, the rate limit
// checked and the job recorded in one SQL call; the provider is called after it, and its
// answer recorded with a second call that also stores the response for Idempotency-Key
// replays. A failed submission refunds inside that same call.
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "jobs/view.hpp"
#include "auth/require.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"
#include "crypto/sha256.hpp"
#include "db/credits.hpp"
#include "db/row.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "jobs/webhook_url.hpp"
#include "jobs/webhooks.hpp"
#include "providers/runpod.hpp"

namespace ag::api {

namespace {

constexpr std::size_t kMaxPrompt = 4000;        // characters (code points)
constexpr std::size_t kMaxIdempotencyKey = 255;  // characters

/// The validated request; raises 400 naming the first bad field.
Task<Json> job_request(Ctx& ctx, const Request& request) {
  Json body = co_await http::read_json_object(ctx, request);
  auto prompt = string_field(body, "prompt");
  if (!prompt || prompt->empty() || code_points(*prompt) > kMaxPrompt)
    co_await ctx.raise(errors::invalid_request("prompt must be a string of 1 to 4000 characters"));
  if (body.contains("model") && !body["model"].is_string())
    co_await ctx.raise(errors::invalid_request("model must be a string"));
  if (body.contains("input") && !body["input"].is_object())
    co_await ctx.raise(errors::invalid_request("input must be an object"));
  // The price follows `model`: RunPod may run no other model than the one charged for.
  if (body.contains("input") && body["input"].contains("model") && body["input"]["model"] != body.value("model", Json()))
    co_await ctx.raise(errors::invalid_request("input.model must be left out or equal to model, which sets the price"));
  if (body.contains("webhook_url")) {
    auto url = string_field(body, "webhook_url");
    if (!url || !jobs::is_webhook_url(*url)) co_await ctx.raise(errors::invalid_request("webhook_url must be an https URL"));
    // Unsigned webhooks could not be told from forgeries: refuse rather than send them.
    if (!jobs::webhook_secret(ctx.config(), "admin"))
      co_await ctx.raise(errors::invalid_request("webhook_url needs webhook signing (WEBHOOK_SIGNING_SECRET) configured"));
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

/// What RunPod's worker receives: the caller's `input`, with the prompt (and model) on top.
Json provider_input(const Json& body) {
  Json input = body.contains("input") ? body["input"] : Json::object();
  input["prompt"] = body["prompt"];
  if (body.contains("model")) input["model"] = body["model"];
  return input;
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
  if (outcome == "in_progress")
    co_await ctx.raise(errors::conflict("a request with this Idempotency-Key is still being processed"));
  if (outcome == "idempotency_key_reused") co_await ctx.raise(errors::idempotency_key_reused());
  log::error("create_job answered an unknown outcome", {{"request_id", ctx.request_id()}, {"outcome", outcome}});
  co_await ctx.raise(errors::internal());
}

/// Records the job's first real status together with the response replays will get.
Task<Response> settle(Ctx& ctx, const std::string& job_id, std::string to, Json fields, int status, Json body) {
  jobs::Transition transition;
  transition.job_id = job_id;
  transition.to = std::move(to);
  transition.detail = Json{{"source", "submit"}};
  transition.fields = std::move(fields);
  transition.response_status = status;
  transition.response_body = body;
  co_await jobs::transition_job(ctx, transition);
  co_return json_response(status, std::move(body));
}

Task<Response> submit_to_runpod(Ctx& ctx, const runpod::Settings& settings, const Json& body,
                                const std::string& job_id, const std::string& webhook_url) {
  EffectResult reply = co_await ctx.perform(effect::fetch(runpod::run_request(settings, provider_input(body), webhook_url)));
  auto http_status = int_field(reply.value, "status").value_or(0);
  auto state = http_status >= 200 && http_status < 300 ? runpod::parse_job_state(reply.body) : std::nullopt;
  if (!state) {
    log::warn("runpod submission failed", {{"request_id", ctx.request_id()},
                                           {"job_id", job_id},
                                           {"status", http_status},
                                           {"error", reply.error_code()}});
    Json error = {{"stage", "submit"}, {"http_status", http_status}, {"code", reply.error_code()}};
    Json answer = {{"ok", false},
                   {"error", "provider_error"},
                   {"message", "the GPU provider did not accept the job; no credits were kept"},
                   {"job_id", job_id}};
    Json fields = {{"provider", "runpod"}, {"error", std::move(error)}};
    co_return co_await settle(ctx, job_id, "error", std::move(fields), 502, std::move(answer));
  }
  Json answer = {{"ok", true},         {"status", "submitted"}, {"provider", "runpod"},
                 {"provider_job_id", state->id}, {"job_id", job_id}, {"result", state->body}};
  Json fields = {{"provider", "runpod"}, {"provider_job_id", state->id}, {"result", state->body}};
  co_return co_await settle(ctx, job_id, "submitted", std::move(fields), 200, std::move(answer));
}

}  // namespace

/// POST /jobs: reserve, record, submit (or the noop without RunPod).
Task<Response> create_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::optional<std::string> key = co_await idempotency_key(ctx, request);
  Json body = co_await job_request(ctx, request);

  const Config& config = ctx.config();
  auto provider = runpod::settings(config);
  std::string webhook_token = provider ? ctx.random_hex(32) : std::string();
  jobs::NewJob job;
  if (caller.user) job.user_id = caller.user->id;
  if (body.contains("model")) job.model = body["model"].get<std::string>();
  job.payload = body;
  job.jobs_per_hour = config.get_uint("JOBS_PER_HOUR", 10, 0, 1'000'000);
  job.welcome_credits = caller.user ? db::welcome_credits(config, *caller.user) : 0;
  job.idempotency_scope = caller.user ? caller.user->id : "admin";
  job.idempotency_key = key;
  job.request_hash = crypto::sha256_hex(dump(body));
  job.deadline_s = config.get_uint("JOB_TIMEOUT_SECONDS", 7200, 60, 7 * 24 * 3600);
  if (provider) job.webhook_token_hash = crypto::sha256_hex(webhook_token);

  Json created = co_await jobs::create_job(ctx, job);
  co_await handle_refusal(ctx, created);
  if (string_field(created, "outcome") == "replay") {
    Response replay = json_response(int_field(created, "response_status").value_or(200), created["response_body"]);
    replay.set_header("idempotent-replayed", "true");
    co_return replay;
  }
  std::string job_id = string_field(created, "job_id").value_or("");

  if (!provider) {
    Json answer = {{"ok", true},          {"status", "submitted"}, {"provider", "noop"},
                   {"provider_job_id", nullptr}, {"job_id", job_id}, {"message", "runpod_not_configured"}};
    Json fields = {{"provider", "noop"}};
    co_return co_await settle(ctx, job_id, "noop", std::move(fields), 202, std::move(answer));
  }
  std::string webhook_url =
      http::public_base_url(config, request) + "/webhooks/runpod/" + job_id + "?token=" + webhook_token;
  auto endpoint = runpod::at_endpoint(*provider, string_field(created, "endpoint_id"));
  co_return co_await submit_to_runpod(ctx, endpoint, body, job_id, webhook_url);
}

namespace {

/// Asks RunPod about an open job and records what changed. The provider's answer is the
/// job's `result` either way; a failed poll leaves the job as it was.
Task<Json> refreshed(Ctx& ctx, Json row) {
  auto settings = jobs::runpod_for_job(ctx.config(), row);
  std::string status = string_field(row, "status").value_or("");
  if (!settings || !jobs::is_open(status)) co_return row;

  auto provider_job_id = string_field(row, "provider_job_id").value_or("");
  EffectResult reply = co_await ctx.perform(effect::fetch(runpod::status_request(*settings, provider_job_id)));
  auto state = runpod::status_reply_state(reply, provider_job_id);
  if (!state) {
    log::warn("runpod status failed",
              {{"request_id", ctx.request_id()}, {"status", int_field(reply.value, "status").value_or(0)}});
    co_return row;
  }
  if (runpod::lifecycle_status(state->status) != status) {
    Json applied = co_await jobs::apply_provider_state(ctx, row, *state, "poll");
    // Someone else (the webhook, the sweep, a cancel) may have got there first: theirs stands.
    if (auto now = string_field(applied, "status")) row["status"] = *now;
    if (applied.contains("outputs")) row["outputs"] = applied["outputs"];
  }
  row["result"] = jobs::shown_result(*state, string_field(row, "status").value_or(""));
  co_return row;
}

}  // namespace

/// GET /jobs/:id: the job, refreshed from RunPod while it is open; its outputs carry
/// short-lived signed download links.
Task<Response> get_job(Ctx& ctx, const Request& request) {
  Json row = co_await jobs::visible_job(ctx, request);
  Json current = co_await refreshed(ctx, std::move(row));
  Json view = jobs::job_view(current);
  view["outputs"] = jobs::signed_outputs(ctx.config(), http::public_base_url(ctx.config(), request), view["outputs"],
                                   ctx.now_ms() / 1000);
  co_return json_response(200, std::move(view));
}

}  // namespace ag::api
