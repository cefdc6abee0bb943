#include "api/app.hpp"

#include "http/cors.hpp"
#include "jobs/delivery.hpp"
#include "core/log.hpp"
#include "jobs/queued.hpp"
#include "jobs/streamed.hpp"
#include "jobs/sweep.hpp"
#include "jobs/webhooks.hpp"
#include "v1/errors.hpp"

namespace ag::api {

namespace {

/// An id fit for a header and a log line: 1-64 of [A-Za-z0-9._-].
bool is_plain_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

/// The task's id as the shim started it (the id of the shim's own lines), else a fresh one.
std::string task_request_id(const Ctx& ctx) {
  return is_plain_id(ctx.request_id()) ? ctx.request_id() : ctx.random_hex(16);
}

/// A caller's own request id when it is plain; otherwise the task's.
std::string request_id_for(const Ctx& ctx, const Request& request) {
  auto given = request.header("x-request-id");
  return given && is_plain_id(*given) ? std::string(*given) : task_request_id(ctx);
}

std::size_t body_size(const Response& response) {
  const auto* text = std::get_if<std::string>(&response.body);
  return text ? text->size() : 0;
}

}  // namespace

Task<Response> App::handle(Ctx& ctx, Request& request) {
  ctx.set_request_id(request_id_for(ctx, request));
  if (request.method == "OPTIONS") {
    std::string allow = router_.allowed_methods(request.path);
    if (allow.empty()) co_return error_response(errors::not_found("no such endpoint"));
    co_return http::preflight(ctx.config(), request, allow);
  }
  auto match = router_.match(request.method, request.path);
  if (std::holds_alternative<Router::NotFound>(match)) co_return error_response(errors::not_found("no such endpoint"));
  if (auto* wrong = std::get_if<Router::MethodNotAllowed>(&match))
    co_return error_response(errors::method_not_allowed(wrong->allow));
  auto& found = std::get<Router::Found>(match);
  request.params = std::move(found.params);
  ctx.set_route(found.route->pattern);
  co_return co_await found.route->handler(ctx, request);
}

Task<Response> App::scheduled(Ctx& ctx, std::string cron) {
  ctx.set_request_id(task_request_id(ctx));
  Json summary = co_await jobs::sweep(ctx);
  // Webhook attempts that fell due without their Queue message (lost with a local Queue's
  // restart, never sent, or due more than the 12 h the Queue can delay one).
  Json webhooks = co_await jobs::deliver_job_webhooks(ctx, std::nullopt);
  log::info("cron", {{"request_id", ctx.request_id()}, {"cron", cron}, {"sweep", summary}, {"webhooks", webhooks}});
  co_return json_response(200, {{"ok", true}, {"sweep", std::move(summary)}, {"webhooks", std::move(webhooks)}});
}

Task<Response> App::background(Ctx& ctx, Json job) {
  auto request_id = string_field(job, "request_id");
  ctx.set_request_id(request_id && is_plain_id(*request_id) ? *request_id : task_request_id(ctx));
  std::string name = string_field(job, "name").value_or("");
  if (name == jobs::kDeliverWebhooks) {
    Json sent = co_await jobs::deliver_job_webhooks(ctx, string_field(job, "job_id"));
    co_return json_response(200, std::move(sent));
  }
  if (name == jobs::kRunQueuedJob) {
    co_await jobs::run_queued(ctx, job);
    co_return json_response(200, Json::object());
  }
  if (name == jobs::kAbandonedStream) {
    co_await jobs::abandon_stream(ctx, string_field(job, "job_id").value_or(""));
    co_return json_response(200, Json::object());
  }
  log::error("unknown background job", {{"request_id", ctx.request_id()}, {"name", name}});
  co_return json_response(500, Json::object());
}

void App::finish(Ctx& ctx, const Request& request, Response& response, std::int64_t started_ms) {
  response.set_header("x-request-id", ctx.request_id());
  // An API, never a page: nothing it serves (user uploads included) may run script, load
  // anything, or be framed; browsers keep to https once they have seen it.
  response.set_header("x-content-type-options", "nosniff");
  response.set_header("content-security-policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
  response.set_header("x-frame-options", "DENY");
  response.set_header("referrer-policy", "no-referrer");
  response.set_header("strict-transport-security", "max-age=31536000; includeSubDomains");
  if (!response.header("cache-control")) response.set_header("cache-control", "no-store");
  if (ctx.route().starts_with("/v1/")) v1::as_openai_error(response);
  http::add_cors_headers(ctx.config(), request, response);
  // No body for HEAD, nor with a status that has none (the shim sends what it is given).
  const bool head = request.method == "HEAD";
  if (head || response.status == 204 || response.status == 205 || response.status == 304) {
    if (head && std::holds_alternative<std::string>(response.body) && !response.header("content-length"))
      response.set_header("content-length", std::to_string(body_size(response)));
    response.body = std::monostate{};
  }
  Json line = ctx.take_log_fields();
  line["request_id"] = ctx.request_id();
  line["method"] = request.method;
  line["route"] = ctx.route().empty() ? "-" : ctx.route();
  line["path"] = request.path;
  line["status"] = response.status;
  line["duration_ms"] = ctx.now_ms() - started_ms;
  if (!ctx.user_id().empty()) line["user_id"] = ctx.user_id();
  log::info("request", std::move(line));
}

}  // namespace ag::api
