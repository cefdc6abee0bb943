#include "jobs/deliveries.hpp"

#include "core/uuid.hpp"
#include "db/row.hpp"
#include "jobs/delivery.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

/// pending: an attempt is due (or under way); delivered: the receiver took it; failed: given up
/// (out of attempts, or the receiver answered 410 Gone).
std::string_view delivery_status(const DeliveryRow& delivery) {
  if (delivery.next_attempt_at) return "pending";
  if (delivery.delivered_at) return "delivered";
  return "failed";
}

}  // namespace

Json delivery_view(const DeliveryRow& delivery) {
  return {{"id", delivery.id},
          {"job_id", delivery.job_id},
          {"event", delivery.event_type},
          {"url", delivery.url},
          {"status", delivery_status(delivery)},
          {"attempt_count", delivery.attempts},
          {"next_attempt_at", db::optional_text(delivery.next_attempt_at)},
          {"delivered_at", db::optional_text(delivery.delivered_at)},
          {"created_at", db::optional_text(delivery.created_at)},
          {"attempts", delivery.attempt_log}};
}

Task<std::optional<Json>> redeliver(Ctx& ctx, const std::optional<std::string>& owner, const std::string& delivery_id) {
  if (!is_uuid(delivery_id)) co_return std::nullopt;
  std::optional<std::string> job_id = co_await redeliver_job_webhook(ctx, owner, delivery_id);
  if (!job_id) co_return std::nullopt;
  // Sent within the request, so the answer says how it went. A delivery another sender holds
  // at this moment is sent by both: receivers deduplicate by its webhook-id.
  co_await deliver_job_webhooks(ctx, job_id);
  DeliveryListing listing;
  listing.owner = owner;
  listing.delivery_id = delivery_id;
  listing.limit = 1;
  DeliveryPage page = co_await list_job_webhook_deliveries(ctx, listing);
  if (page.deliveries.empty()) co_return std::nullopt;  // deleted meanwhile, with its job
  co_return delivery_view(page.deliveries.front());
}

}  // namespace ag::jobs
