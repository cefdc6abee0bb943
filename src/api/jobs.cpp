// POST /jobs, POST /jobs/estimate and GET /jobs/:id (API.md "Jobs"). jobs/start prices,
// records and submits a job; these handlers read the request and shape the answer.
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "credits/store.hpp"
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "http/idempotency.hpp"
#include "http/prefer.hpp"
#include "jobs/poll.hpp"
#include "jobs/request.hpp"
#include "jobs/start.hpp"
#include "jobs/view.hpp"
#include "jobs/wait.hpp"
#include "jobs/webhooks.hpp"
#include "providers/registry.hpp"

namespace ag::api {

namespace {

/// The job the request's body asks for, checked for shape (jobs/request.hpp).
Task<Json> job_request(Ctx& ctx, const Request& request) {
  Json body = co_await http::read_json_object(ctx, request);
  co_await jobs::check_job_request(ctx, body);
  co_return body;
}

}  // namespace

/// POST /jobs/estimate: what POST /jobs with this body would cost and whether the caller can
/// pay it; nothing is charged.
Task<Response> estimate_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  Json body = co_await job_request(ctx, request);
  jobs::Quote quote = co_await jobs::priced(ctx, caller, request, body, false);
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
  std::optional<std::string> key = co_await http::idempotency_key(ctx, request);
  Json body = co_await job_request(ctx, request);
  jobs::Started started = co_await jobs::start_job(ctx, caller, request, body, key);
  if (started.replay) {
    Response replay = json_response(started.answer.status, started.answer.body);
    replay.set_header("idempotent-replayed", "true");
    co_return replay;
  }
  // A job that is running (200) or on the Queue (202 queued) can be waited for; the noop and
  // refusals answer at once.
  jobs::Answer& answer = started.answer;
  const bool waitable = answer.status == 200 || answer.body.value("status", "") == "queued";
  if (auto wait_s = http::wait_preference(request.header("prefer")); wait_s && waitable) {
    std::optional<jobs::JobRow> ended = co_await jobs::ended_within(ctx, started.job_id, *wait_s);
    if (ended) {
      Response done =
          json_response(200, jobs::shown_job(ctx.config(), started.public_base_url, *ended, ctx.now_ms() / 1000));
      done.set_header("preference-applied", "wait=" + std::to_string(*wait_s));
      co_return done;
    }
  }
  co_return json_response(answer.status, std::move(answer.body));
}

/// GET /jobs/:id: the job, refreshed from its provider while it is open; its outputs carry
/// short-lived signed download links.
Task<Response> get_job(Ctx& ctx, const Request& request) {
  jobs::JobRow job = co_await jobs::visible_job(ctx, request);
  jobs::JobRow current = co_await jobs::refreshed(ctx, std::move(job));
  co_return json_response(
      200, jobs::shown_job(ctx.config(), http::public_base_url(ctx.config(), request), current, ctx.now_ms() / 1000));
}

}  // namespace ag::api
