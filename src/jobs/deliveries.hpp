#pragma once
// The webhook deliveries a caller can see (GET /webhooks/deliveries) and send again (POST
// /webhooks/deliveries/:id/redeliver). A delivery belongs to its job's owner: a user sees the
// deliveries of their jobs, the admin those of the admin's own jobs (whose webhooks the admin's
// secret signs), never another owner's.
#include <cstdint>
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

/// A delivery as the API shows it: id (the webhook-id header), job_id, event, url, status
/// (pending, delivered, failed = given up), attempt_count, next_attempt_at, delivered_at,
/// created_at and its `attempts` oldest first.
Json delivery_view(const DeliveryRow& delivery);

/// Sends the owner's delivery (nullopt owner: the admin) again now, with the same webhook-id,
/// and answers it as listed, this attempt included; nullopt for an unknown delivery or another
/// owner's.
Task<std::optional<Json>> redeliver(Ctx& ctx, const std::optional<std::string>& owner, const std::string& delivery_id);

}  // namespace ag::jobs
