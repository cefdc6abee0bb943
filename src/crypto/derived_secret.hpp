#pragma once
// Secrets a deployment may set on their own, else derive from APP_ADMIN_TOKEN, so a deployment
// with an admin token signs asset links and job webhooks without one more secret.
#include <optional>
#include <string>
#include <string_view>

namespace ag::crypto {

/// `configured` when set; else HMAC-SHA256(`admin_token`, `label`) as raw bytes (a derived
/// key, never the token itself: what it signs says nothing about the token, and each label
/// gives an unrelated key); nullopt when neither is set. Rotating the source secret rotates
/// the result.
std::optional<std::string> configured_or_derived_secret(std::optional<std::string_view> configured,
                                                        std::optional<std::string_view> admin_token,
                                                        std::string_view label);

}  // namespace ag::crypto
