#pragma once
// An API key's secret (docs/endpoints.md "API keys"): "ag_live_" and 40 lower-case hex digits,
// 160 random bits. The database keeps only its SHA-256; its first 16 characters are the key's
// `prefix`, shown in lists so that a person can tell their keys apart.
#include <string>
#include <string_view>

#include "core/ctx.hpp"

namespace ag::keys {

inline constexpr std::string_view kSecretStart = "ag_live_";

/// Whether a bearer token is meant as an API key (it starts "ag_"): such a token is never
/// tried as a JWT, which cannot start so.
bool is_api_key(std::string_view token);

/// Whether `token` has the exact shape of the secrets this API issues.
bool well_formed(std::string_view token);

/// A new secret.
std::string new_secret(const Ctx& ctx);

/// What lists show of a secret.
std::string prefix_of(std::string_view secret);

/// What the database keeps of a secret: its SHA-256, in hex.
std::string secret_hash(std::string_view secret);

}  // namespace ag::keys
