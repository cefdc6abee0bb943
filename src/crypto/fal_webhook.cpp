#include "crypto/fal_webhook.hpp"

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "crypto/webhook_timestamp.hpp"

namespace ag::fal_webhook {

std::string signed_message(std::string_view request_id, std::string_view user_id, std::string_view timestamp,
                           std::string_view raw_body) {
  std::string message;
  for (std::string_view line : {request_id, user_id, timestamp}) {
    message.append(line);
    message.push_back('\n');
  }
  message.append(crypto::sha256_hex(raw_body));
  return message;
}

namespace {

/// Ids travel to the platform's verifier inside JSON: printable ASCII only.
bool is_id(std::string_view text) {
  if (text.empty() || text.size() > 256) return false;
  for (char c : text)
    if (c < '!' || c > '~') return false;
  return true;
}

}  // namespace

Prepared prepare(std::string_view request_id, std::string_view user_id, std::string_view timestamp,
                 std::string_view signature_hex, std::string_view raw_body, std::int64_t now_s,
                 std::int64_t tolerance_s) {
  Prepared prepared;
  auto timestamp_s = crypto::parse_unix_seconds(timestamp);
  auto signature = crypto::hex_decode(signature_hex);
  if (!is_id(request_id) || !is_id(user_id) || !timestamp_s || !signature || signature->size() != 64) return prepared;
  if (!crypto::is_fresh(*timestamp_s, now_s, tolerance_s)) {
    prepared.check = Check::stale;
    return prepared;
  }
  prepared.check = Check::ready;
  prepared.message = signed_message(request_id, user_id, timestamp, raw_body);
  prepared.signature = std::move(*signature);
  return prepared;
}

std::string_view to_string(Check check) {
  switch (check) {
    case Check::ready:
      return "ready";
    case Check::malformed:
      return "malformed";
    case Check::stale:
      return "stale";
  }
  return "unknown";
}

}  // namespace ag::fal_webhook
