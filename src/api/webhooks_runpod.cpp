// POST /webhooks/runpod/:job_id?token=...: RunPod's callback when a job ends. RunPod does
// not sign callbacks, so each job's URL carries its own random token, whose SHA-256 the job
// row keeps; the check is constant-time. Deliveries may repeat and race the poll and the
// cron sweep: transition_job applies each change once.
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "db/webhook_log.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/sha256.hpp"
#include "core/uuid.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"

namespace ag::api {

Task<Response> runpod_webhook(Ctx& ctx, const Request& request) {
  std::string job_id(request.param("job_id"));
  std::optional<Json> row;
  if (is_uuid(job_id)) row = co_await jobs::find_job(ctx, job_id);
  auto expected = row ? string_field(*row, "webhook_token_hash") : std::nullopt;
  auto token = request.query_param("token");
  const bool authentic = expected && token && crypto::constant_time_equal(crypto::sha256_hex(*token), *expected);
  // The callback may overtake POST /jobs recording the job's provider: RunPod is the only one
  // whose callbacks come here.
  auto provider =
      authentic ? providers::configured(ctx.config(), {"runpod", string_field(*row, "provider_endpoint_id")}) : nullptr;
  // Unknown job and wrong token look the same from outside.
  if (!provider) co_await ctx.raise(errors::unauthorized("invalid callback token"));

  // The same JSON as a /status reply, capped alike: over it, a 413 here, and the sweep's poll
  // then fails the job as output_too_large.
  std::string body = co_await http::read_body(ctx, request, provider->max_callback_bytes());
  ctx.wait_until(db::log_webhook(ctx.uuid_v4(), request, body));
  auto state = provider->parse_callback(body);
  if (!state || !state->status) co_await ctx.raise(errors::invalid_request("expected a RunPod job status object"));
  auto known_id = string_field(*row, "provider_job_id");
  if (known_id && *known_id != state->id) co_await ctx.raise(errors::invalid_request("not this job's RunPod id"));

  Json applied = co_await jobs::apply_provider_state(ctx, *provider, *row, *state, "webhook");
  co_return json_response(200, {{"ok", true},
                                {"received", true},
                                {"applied", applied.value("applied", false)},
                                {"status", applied.value("status", Json(nullptr))}});
}

}  // namespace ag::api
