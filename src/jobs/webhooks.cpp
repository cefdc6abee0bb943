#include "jobs/webhooks.hpp"

#include "core/effects.hpp"
#include "crypto/derived_secret.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "crypto/standard_webhooks.hpp"
#include "jobs/queued.hpp"

namespace ag::jobs {

Json deliver_webhooks_message(std::string_view job_id, std::string_view request_id, std::int64_t delay_s) {
  Json job = {{"name", kDeliverWebhooks}, {"job_id", job_id}, {"request_id", request_id}};
  return effect::queue_send(kJobsQueue, job, delay_s);
}

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
