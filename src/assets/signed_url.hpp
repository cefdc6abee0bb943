#pragma once
// Short-lived signed GET links for private asset keys. POST /assets/sign {"key","expires_in"?}
// answers a URL carrying `expires` (unix seconds) and `sig`; GET /assets/:key honours it
// without a bearer token until it expires. Any change to key, expiry or signature → 403.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace ag::assets {

/// `expires_in` when the request omits it, and the longest lifetime a link may have.
inline constexpr std::int64_t kDefaultSignedUrlSeconds = 3600;
inline constexpr std::int64_t kMaxSignedUrlSeconds = 7 * 24 * 3600;

/// The HMAC key of asset links: ASSET_SIGNING_SECRET, else a key derived from
/// APP_ADMIN_TOKEN, so a deployment with an admin token signs links without one more secret
/// (rotating either secret invalidates outstanding links); nullopt when neither is set.
std::optional<std::string> signing_secret(const Config& config);

/// Unpadded base64url of HMAC-SHA256(secret, "alphogen-asset-v1\n" key "\n" expires), with
/// `expires` in plain decimal. Callers must not sign with an empty secret.
std::string asset_signature(std::string_view secret, std::string_view key, std::int64_t expires_s);

/// The link to GET /assets/<key> under `base_url` that works without credentials until
/// `expires_s` (unix seconds).
std::string signed_url(std::string_view secret, std::string_view base_url, std::string_view key,
                       std::int64_t expires_s);

enum class SignatureCheck { valid, expired, invalid };

/// Checks a link's query parameters. `invalid` unless `expires_param` is canonical decimal
/// (1–12 digits, no sign, space or leading zero) and `sig_param` equals the expected
/// signature (constant time); `expired` only for an authentic link with now_s >= expires, so
/// an altered link never learns whether its expiry would have passed. An empty secret
/// validates nothing.
SignatureCheck check_asset_signature(std::string_view secret, std::string_view key, std::string_view expires_param,
                                     std::string_view sig_param, std::int64_t now_s);

/// The key as a URL path: each '/'-separated segment percent-encoded (RFC 3986 unreserved
/// bytes kept, everything else %XX upper-case), because keys may hold spaces, '?', '#', '%'
/// and UTF-8. "users/u 1/a?b.png" → "users/u%201/a%3Fb.png".
std::string encode_key_path(std::string_view key);

}  // namespace ag::assets
