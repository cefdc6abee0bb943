#include "jobs/deliveries.hpp"

#include "core/uuid.hpp"
#include "jobs/delivery.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

/// pending: an attempt is due (or under way); delivered: the receiver took it; failed: given up
/// (out of attempts, or the receiver answered 410 Gone).
std::string_view delivery_status(const Json& row) {
  if (!row.value("next_attempt_at", Json(nullptr)).is_null()) return "pending";
  if (!row.value("delivered_at", Json(nullptr)).is_null()) return "delivered";
  return "failed";
}

}  // namespace

Json delivery_view(const Json& row) {
  Json attempts = row.value("attempt_log", Json::array());
  return {{"id", row.value("id", Json(nullptr))},
          {"job_id", row.value("job_id", Json(nullptr))},
          {"event", row.value("event_type", Json(nullptr))},
          {"url", row.value("url", Json(nullptr))},
          {"status", delivery_status(row)},
          {"attempt_count", row.value("attempts", 0)},
          {"next_attempt_at", row.value("next_attempt_at", Json(nullptr))},
          {"delivered_at", row.value("delivered_at", Json(nullptr))},
          {"created_at", row.value("created_at", Json(nullptr))},
          {"attempts", attempts.is_array() ? std::move(attempts) : Json::array()}};
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
  Json rows = co_await list_job_webhook_deliveries(ctx, listing);
  if (rows.empty()) co_return std::nullopt;  // deleted meanwhile, with its job
  co_return delivery_view(rows[0]);
}

}  // namespace ag::jobs
