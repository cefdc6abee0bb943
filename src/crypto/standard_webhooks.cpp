#include "crypto/standard_webhooks.hpp"

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::standard_webhooks {

std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp_s, std::string_view body) {
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

}  // namespace ag::standard_webhooks
