// POST /webhooks/fal/:job_id?token=...: fal.ai's webhook when a queued request ends. It is
// signed with Ed25519 under one of fal's published keys (FAL_JWKS_URL), checked on the raw
// body before anything else, and carries the job's own token as RunPod's does. Without
// FAL_KEY fal runs nothing here and no webhook is accepted.
#include "api/handlers.hpp"
#include "auth/fal_signature.hpp"
#include "core/log.hpp"
#include "db/webhook_log.hpp"
#include "http/body.hpp"
#include "jobs/callback.hpp"
#include "providers/fal.hpp"
#include "providers/registry.hpp"

namespace ag::api {

Task<Response> fal_webhook(Ctx& ctx, const Request& request) {
  auto settings = fal::settings(ctx.config());
  if (!settings) co_await ctx.raise(errors::unauthorized("fal webhooks are not configured"));

  std::string body = co_await http::read_body(ctx, request, fal::kMaxReplyBytes);
  std::string refused = co_await auth::verify_fal_webhook(ctx, request, body, settings->jwks_url);
  if (!refused.empty()) {
    log::warn("fal webhook refused", {{"request_id", ctx.request_id()}, {"reason", refused}});
    co_await ctx.raise(errors::unauthorized("invalid webhook signature"));
  }
  auto job = co_await jobs::find_callback_job(ctx, request.param("job_id"), request.query_param("token"));
  if (!job) co_await ctx.raise(errors::unauthorized("invalid callback token"));
  // The job's app (recorded with it) is where its result is read when the webhook lacks it.
  auto provider = providers::configured(ctx.config(), {"fal", job->provider_endpoint_id});

  ctx.wait_until(db::log_webhook(ctx.uuid_v4(), request, body));
  Json answer = co_await jobs::apply_callback(ctx, *provider, *job, body);
  co_return json_response(200, std::move(answer));
}

}  // namespace ag::api
