#pragma once
// The webhooks this API sends to its users when their jobs finish follow Standard Webhooks
// (PROTOCOLS.md): headers webhook-id / webhook-timestamp / webhook-signature, signed with a
// `whsec_` secret that GET /webhooks/secret tells each caller. Secrets are derived, not
// stored: one per owner (a user id, or "admin" for admin jobs), so a user can verify their
// own webhooks and learns nothing about anyone else's.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/json.hpp"

namespace ag::jobs {

/// The name of the background job that sends a finished job's webhook: a message on the JOBS
/// Queue (jobs/queued.hpp), right away for the first attempt and delayed for each retry.
inline constexpr std::string_view kDeliverWebhooks = "deliver_job_webhooks";
/// The `queue.send` effect of that job for `job_id`, delivered after `delay_s` seconds; it
/// carries `request_id` so its logs line up with whatever finished the job.
Json deliver_webhooks_message(std::string_view job_id, std::string_view request_id, std::int64_t delay_s = 0);

/// `whsec_` + base64 of 32 bytes: HMAC-SHA256 keyed with WEBHOOK_SIGNING_SECRET (else a key
/// derived from APP_ADMIN_TOKEN) over a versioned label and `owner`. nullopt when neither is
/// configured. Rotating the configured secret rotates every owner's.
std::optional<std::string> webhook_secret(const Config& config, std::string_view owner);

}  // namespace ag::jobs
