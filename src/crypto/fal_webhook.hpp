#pragma once
// fal.ai's webhook signatures (PROTOCOLS.md "fal.ai"): headers X-Fal-Webhook-Request-Id,
// -User-Id, -Timestamp (unix s) and -Signature (hex), the signature an Ed25519 one over the
// request id, the user id, the timestamp and the SHA-256 (lowercase hex) of the raw body, one
// per line. The key is one of fal's published JWKS (auth/fal_signature verifies with it); this
// only reads the headers and builds the message.
#include <cstdint>
#include <string>
#include <string_view>

namespace ag::fal_webhook {

/// fal's documented tolerance for the timestamp, either way.
inline constexpr std::int64_t kToleranceS = 300;

/// The message fal signs for `raw_body`.
std::string signed_message(std::string_view request_id, std::string_view user_id, std::string_view timestamp,
                           std::string_view raw_body);

enum class Check {
  ready,      // the message and signature below are to be verified
  malformed,  // a header missing, a timestamp that is not a number, a signature not 64 bytes of hex
  stale,      // the timestamp is further than the tolerance from now
};

struct Prepared {
  Check check = Check::malformed;
  std::string message;
  std::string signature;  // the raw 64 bytes
};

/// Reads the four headers' values for `raw_body` at `now_s` (unix seconds).
Prepared prepare(std::string_view request_id, std::string_view user_id, std::string_view timestamp,
                 std::string_view signature_hex, std::string_view raw_body, std::int64_t now_s,
                 std::int64_t tolerance_s = kToleranceS);

/// A short name for logs ("stale", ...).
std::string_view to_string(Check check);

}  // namespace ag::fal_webhook
