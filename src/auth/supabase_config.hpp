#pragma once
// Where Supabase Auth lives, from the Worker's configuration.
#include <optional>
#include <string>

#include "core/config.hpp"

namespace ag::auth {

/// SUPABASE_URL without trailing slashes, when set.
std::optional<std::string> supabase_base(const Config& config);
/// `<SUPABASE_URL>/auth/v1`: the `iss` of the project's access tokens.
std::string supabase_issuer(const std::string& base);

/// Whether any way to verify user tokens is configured (else /me is the 501 noop).
bool user_auth_configured(const Config& config);

}  // namespace ag::auth
