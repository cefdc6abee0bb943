#include "jobs/webhooks.hpp"

#include "crypto/derived_secret.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::jobs {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

}  // namespace

Json deliver_webhooks_job(std::string_view job_id) { return Json{{"name", kDeliverWebhooks}, {"job_id", job_id}}; }

std::optional<std::string> webhook_secret(const Config& config, std::string_view owner) {
  auto root = crypto::configured_or_derived_secret(config.get("WEBHOOK_SIGNING_SECRET"), config.get("APP_ADMIN_TOKEN"),
                                                   "alphogen-webhook-signing-key-v1");
  if (!root) return std::nullopt;
  std::string label = "alphogen-job-webhook-v1\n";
  label.append(owner);
  return std::string(kSecretPrefix) + crypto::base64_encode(crypto::as_bytes(crypto::hmac_sha256(*root, label)));
}

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp_s,
                              std::string_view body) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) return {};
  auto key = crypto::base64_decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->empty()) return {};
  std::string message(id);
  message.push_back('.');
  message.append(std::to_string(timestamp_s));
  message.push_back('.');
  message.append(body);
  return "v1," + crypto::base64_encode(crypto::as_bytes(crypto::hmac_sha256(*key, message)));
}

}  // namespace ag::jobs
