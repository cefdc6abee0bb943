#include "crypto/standard_webhooks.hpp"

#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "crypto/webhook_timestamp.hpp"

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

Check verify(std::string_view secret, std::string_view id, std::string_view timestamp, std::string_view signatures,
             std::string_view raw_body, std::int64_t now_s, std::int64_t tolerance_s) {
  auto timestamp_s = crypto::parse_unix_seconds(timestamp);
  if (id.empty() || !timestamp_s) return Check::malformed;
  std::string expected = sign(secret, id, *timestamp_s, raw_body);
  if (expected.empty()) return Check::malformed;
  if (!crypto::is_fresh(*timestamp_s, now_s, tolerance_s)) return Check::stale;
  bool matched = false;
  while (!signatures.empty()) {
    auto space = signatures.find(' ');
    std::string_view entry = signatures.substr(0, space);
    signatures = space == std::string_view::npos ? std::string_view() : signatures.substr(space + 1);
    if (entry.substr(0, 3) == "v1,") matched = crypto::constant_time_equal(entry, expected) || matched;
  }
  return matched ? Check::valid : Check::mismatch;
}

std::string_view to_string(Check check) {
  switch (check) {
    case Check::valid:
      return "valid";
    case Check::malformed:
      return "malformed";
    case Check::stale:
      return "stale";
    case Check::mismatch:
      return "mismatch";
  }
  return "unknown";
}

}  // namespace ag::standard_webhooks
