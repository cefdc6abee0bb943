// POST /webhooks/replicate/:job_id?token=...: Replicate's webhook when a prediction completes.
// It is signed with Standard Webhooks under the account's secret (REPLICATE_WEBHOOK_SECRET),
// checked on the raw body before anything else, and carries the job's own token as RunPod's
// does. Without the secret no webhook is asked for (jobs/ polls instead) and none is accepted.
#include "api/handlers.hpp"
#include "core/log.hpp"
#include "crypto/standard_webhooks.hpp"
#include "db/webhook_log.hpp"
#include "http/body.hpp"
#include "jobs/callback.hpp"
#include "providers/replicate.hpp"

namespace ag::api {

Task<Response> replicate_webhook(Ctx& ctx, const Request& request) {
  auto settings = replicate::settings(ctx.config());
  if (!settings || settings->webhook_secret.empty())
    co_await ctx.raise(errors::unauthorized("Replicate webhooks are not configured"));
  const std::string secret = settings->webhook_secret;
  const replicate::Replicate provider(std::move(*settings));

  std::string body = co_await http::read_body(ctx, request, provider.max_callback_bytes());
  auto check = standard_webhooks::verify(secret, request.header("webhook-id").value_or(""),
                                         request.header("webhook-timestamp").value_or(""),
                                         request.header("webhook-signature").value_or(""), body, ctx.now_ms() / 1000);
  if (check != standard_webhooks::Check::valid) {
    log::warn("replicate webhook refused",
              {{"request_id", ctx.request_id()}, {"reason", standard_webhooks::to_string(check)}});
    co_await ctx.raise(errors::unauthorized("invalid webhook signature"));
  }
  auto job = co_await jobs::find_callback_job(ctx, request.param("job_id"), request.query_param("token"));
  if (!job) co_await ctx.raise(errors::unauthorized("invalid callback token"));

  ctx.wait_until(db::log_webhook(ctx.uuid_v4(), request, body));
  Json answer = co_await jobs::apply_callback(ctx, provider, *job, body);
  co_return json_response(200, std::move(answer));
}

}  // namespace ag::api
