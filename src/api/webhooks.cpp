#include "http/body.hpp"
#include "api/handlers.hpp"
#include "db/webhook_log.hpp"
#include "crypto/constant_time.hpp"

namespace ag::api {

namespace {

constexpr std::uint64_t kMaxWebhookBody = 256 << 10;

}  // namespace

/// POST /webhooks/test: checks X-Webhook-Secret and logs the delivery to `events`.
Task<Response> webhook_test(Ctx& ctx, const Request& request) {
  auto secret = ctx.config().get("WEBHOOK_SECRET");
  auto given = request.header("x-webhook-secret");
  if (!secret || !given || !crypto::constant_time_equal(*given, *secret))
    co_await ctx.raise(errors::unauthorized("invalid webhook secret"));
  std::string body = co_await http::read_body(ctx, request, kMaxWebhookBody);
  std::string event_id = ctx.uuid_v4();
  ctx.wait_until(db::log_webhook(event_id, request, body));
  co_return json_response(200, {{"ok", true}, {"received", true}, {"event_id", event_id}});
}

}  // namespace ag::api
