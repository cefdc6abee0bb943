#pragma once
// Standard Webhooks signatures (PROTOCOLS.md; standard-webhooks.com): headers webhook-id,
// webhook-timestamp (unix s) and webhook-signature (space-separated "v1,<base64>"), each v1 the
// HMAC-SHA256 of "<id>.<timestamp>.<raw body>" keyed with the bytes after `whsec_`. This API
// signs the webhooks it sends its users with it, and Replicate signs its callbacks with it.
#include <cstdint>
#include <string>
#include <string_view>

namespace ag::standard_webhooks {

inline constexpr std::string_view kSecretPrefix = "whsec_";

/// The `webhook-signature` value for one message: "v1," + base64 of the HMAC. An ill-formed
/// secret signs nothing (empty result).
std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp_s, std::string_view body);

enum class Check {
  valid,
  malformed,  // no id, a timestamp that is not a number, or an ill-formed secret
  stale,      // the timestamp is further than the tolerance from now
  mismatch,   // no v1 entry is this message's signature
};

/// The receivers' tolerance the specification suggests (Replicate documents none).
inline constexpr std::int64_t kToleranceS = 300;

/// Checks the three headers' values for `raw_body` under `secret` at `now_s` (unix seconds).
/// Every v1 entry is compared, each in constant time; other versions are ignored.
Check verify(std::string_view secret, std::string_view id, std::string_view timestamp, std::string_view signatures,
             std::string_view raw_body, std::int64_t now_s, std::int64_t tolerance_s = kToleranceS);

/// A short name for logs ("stale", "mismatch", ...).
std::string_view to_string(Check check);

}  // namespace ag::standard_webhooks
