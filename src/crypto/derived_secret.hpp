#pragma once
// Secrets a deployment may set on their own, else derive from APP_ADMIN_TOKEN, so a deployment
// with an admin token signs asset links and job webhooks without one more secret.
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace ag::crypto {

/// The variable `name` when set; else HMAC-SHA256(APP_ADMIN_TOKEN, `label`) as raw bytes (a
/// derived key, never the token itself: what it signs says nothing about the token, and each
/// label gives an unrelated key); nullopt when neither is set. Rotating the source secret
/// rotates the result.
std::optional<std::string> configured_or_derived_secret(const Config& config, std::string_view name,
                                                        std::string_view label);

}  // namespace ag::crypto
