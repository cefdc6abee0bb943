// POST /webhooks/runpod/:job_id?token=...: RunPod's callback when a job ends. RunPod does
// not sign callbacks: the job's own token (jobs/callback.hpp) is the proof.
#include "api/handlers.hpp"
#include "db/webhook_log.hpp"
#include "http/body.hpp"
#include "jobs/callback.hpp"
#include "providers/registry.hpp"

namespace ag::api {

Task<Response> runpod_webhook(Ctx& ctx, const Request& request) {
  auto job = co_await jobs::find_callback_job(ctx, request.param("job_id"), request.query_param("token"));
  // The callback may overtake POST /jobs recording the job's provider: RunPod is the only one
  // whose callbacks come here.
  auto provider = job ? providers::configured(ctx.config(), {"runpod", job->provider_endpoint_id}) : nullptr;
  if (!provider) co_await ctx.raise(errors::unauthorized("invalid callback token"));

  // The same JSON as a /status reply, capped alike: over it, a 413 here, and the sweep's poll
  // then fails the job as output_too_large.
  std::string body = co_await http::read_body(ctx, request, provider->max_callback_bytes());
  ctx.wait_until(db::log_webhook(ctx.uuid_v4(), request, body));
  Json answer = co_await jobs::apply_callback(ctx, *provider, *job, body);
  co_return json_response(200, std::move(answer));
}

}  // namespace ag::api
