#include "jobs/delivery.hpp"

#include "http/base_url.hpp"
#include "jobs/view.hpp"
#include "core/decimal.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "crypto/standard_webhooks.hpp"
#include "jobs/store.hpp"
#include "jobs/webhooks.hpp"

namespace ag::jobs {
namespace {

constexpr int kBatch = 50;
constexpr std::int64_t kTimeoutMs = 10'000;

/// The Standard Webhooks request for one claimed delivery.
effect::FetchSpec webhook_request(Ctx& ctx, const ClaimedDelivery& claimed, const std::string& secret) {
  const std::int64_t timestamp_s = ctx.now_ms() / 1000;
  Json data = job_view(claimed.job);
  data.erase("ok");
  data["outputs"] = signed_outputs(ctx.config(), http::public_base_url(ctx.config()), data["outputs"], timestamp_s);
  Json payload = {{"type", claimed.event_type}, {"timestamp", iso8601_utc(ctx.now_ms())}, {"data", std::move(data)}};
  std::string body = dump(payload);
  const std::string& id = claimed.delivery_id;

  effect::FetchSpec spec;
  spec.method = "POST";
  spec.url = claimed.url;
  spec.headers = {{"content-type", "application/json"},
                  {"user-agent", "AlphoGen-Webhooks/1"},
                  {"webhook-id", id},
                  {"webhook-timestamp", std::to_string(timestamp_s)},
                  {"webhook-signature", standard_webhooks::sign(secret, id, timestamp_s, body)}};
  spec.body = std::move(body);
  spec.timeout_ms = kTimeoutMs;
  spec.max_bytes = 4096;  // the receiver's answer is not read beyond its status
  return spec;
}

Json retry_after_s(const EffectResult& reply) {
  auto header = reply.http_header("retry-after");
  auto seconds = header ? parse_decimal(*header, 6) : std::nullopt;
  return seconds ? Json(*seconds) : Json(nullptr);
}

/// The attempt a claimed delivery is, before its outcome.
WebhookAttempt attempt_of(const ClaimedDelivery& claimed) {
  WebhookAttempt attempt;
  attempt.delivery_id = claimed.delivery_id;
  attempt.attempt = claimed.attempt;
  return attempt;
}

/// The delayed Queue message that sends the retry an attempt scheduled, if any: a second late
/// rather than early, as the Queue's clock and the database's may differ a little (an early
/// message finds nothing due). Retries due later than the Queue can hold a message (12 h) are
/// left to the cron sweep.
std::optional<Json> retry_message(const Ctx& ctx, const ClaimedDelivery& claimed, const RecordedAttempt& recorded) {
  if (!recorded.retry_in_s || *recorded.retry_in_s >= effect::kMaxQueueDelaySeconds) return std::nullopt;
  return deliver_webhooks_message(claimed.job.id, ctx.request_id(),
                                  std::max<std::int64_t>(*recorded.retry_in_s, 0) + 1);
}

/// Puts the retries on the Queue. One that cannot be is still due in the database: the cron
/// sweep sends it.
Task<> enqueue_retries(Ctx& ctx, std::vector<Json> retries) {
  if (retries.empty()) co_return;
  std::vector<EffectResult> results = co_await ctx.perform_all(std::move(retries));
  for (const EffectResult& result : results)
    if (result.failed())
      log::error("webhook retry not queued", {{"request_id", ctx.request_id()}, {"error", result.error_code()}});
}

}  // namespace

Task<Json> deliver_job_webhooks(Ctx& ctx, std::optional<std::string> job_id) {
  std::vector<ClaimedDelivery> claimed = co_await claim_job_webhooks(ctx, job_id, kBatch);
  std::vector<Json> sends;
  std::vector<const ClaimedDelivery*> sent;
  std::vector<const ClaimedDelivery*> unsigned_deliveries;
  for (const ClaimedDelivery& delivery : claimed) {
    auto secret = jobs::webhook_secret(ctx.config(), delivery.job.owner());
    if (!secret) {
      unsigned_deliveries.push_back(&delivery);
      continue;
    }
    sent.push_back(&delivery);
    sends.push_back(effect::fetch(webhook_request(ctx, delivery, *secret)));
  }
  const std::int64_t sent_ms = ctx.now_ms();
  std::vector<EffectResult> replies;
  if (!sends.empty()) replies = co_await ctx.perform_all(std::move(sends));
  // Sent together, they are answered together: each latency is the batch's (one, but for the
  // cron sweep's catch-up).
  const std::int64_t latency_ms = ctx.now_ms() - sent_ms;

  int delivered = 0;
  std::vector<Json> retries;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    WebhookAttempt attempt = attempt_of(*sent[i]);
    attempt.http_status = replies[i].http_status();
    attempt.error = replies[i].failed() ? replies[i].error_code() : "HTTP " + std::to_string(attempt.http_status);
    attempt.retry_after = retry_after_s(replies[i]);
    attempt.latency_ms = latency_ms;
    RecordedAttempt recorded = co_await record_job_webhook(ctx, attempt);
    delivered += recorded.delivered ? 1 : 0;
    if (auto retry = retry_message(ctx, *sent[i], recorded)) retries.push_back(std::move(*retry));
    log::info("job webhook", {{"request_id", ctx.request_id()},
                              {"job_id", sent[i]->job.id},
                              {"attempt", attempt.attempt},
                              {"status", attempt.http_status},
                              {"latency_ms", latency_ms},
                              {"delivered", recorded.delivered}});
  }
  for (const ClaimedDelivery* delivery : unsigned_deliveries) {
    WebhookAttempt attempt = attempt_of(*delivery);
    attempt.error = "webhook signing is not configured";
    RecordedAttempt recorded = co_await record_job_webhook(ctx, attempt);
    if (auto retry = retry_message(ctx, *delivery, recorded)) retries.push_back(std::move(*retry));
  }
  co_await enqueue_retries(ctx, std::move(retries));
  co_return Json{{"sent", replies.size()}, {"delivered", delivered}};
}

}  // namespace ag::jobs
