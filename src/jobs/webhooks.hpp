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

/// The name of the background job (Ctx::run_after) that sends a finished job's webhook.
inline constexpr std::string_view kDeliverWebhooks = "deliver_job_webhooks";
/// That job for `job_id`.
Json deliver_webhooks_job(std::string_view job_id);

/// `whsec_` + base64 of 32 bytes: HMAC-SHA256 keyed with WEBHOOK_SIGNING_SECRET (else a key
/// derived from APP_ADMIN_TOKEN) over a versioned label and `owner`. nullopt when neither is
/// configured. Rotating the configured secret rotates every owner's.
std::optional<std::string> webhook_secret(const Config& config, std::string_view owner);

}  // namespace ag::jobs
