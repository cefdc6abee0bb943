#include "jobs/webhooks.hpp"

#include "crypto/derived_secret.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "crypto/standard_webhooks.hpp"

namespace ag::jobs {

Json deliver_webhooks_job(std::string_view job_id) { return Json{{"name", kDeliverWebhooks}, {"job_id", job_id}}; }

std::optional<std::string> webhook_secret(const Config& config, std::string_view owner) {
  auto root = crypto::configured_or_derived_secret(config.get("WEBHOOK_SIGNING_SECRET"), config.get("APP_ADMIN_TOKEN"),
                                                   "alphogen-webhook-signing-key-v1");
  if (!root) return std::nullopt;
  std::string label = "alphogen-job-webhook-v1\n";
  label.append(owner);
  return std::string(standard_webhooks::kSecretPrefix) +
         crypto::base64_encode(crypto::as_bytes(crypto::hmac_sha256(*root, label)));
}

}  // namespace ag::jobs
