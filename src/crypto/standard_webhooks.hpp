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

}  // namespace ag::standard_webhooks
