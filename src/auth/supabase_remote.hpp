#pragma once
// The remote check of a Supabase access token: GET <SUPABASE_URL>/auth/v1/user with the
// token and the project key: the original behaviour, kept for HS256 tokens when the
// legacy secret is not configured.
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::auth {

/// Whether SUPABASE_URL and a key are configured.
bool remote_auth_configured(const Config& config);

/// The token's user; raises 401 when Supabase rejects it, 502 when it cannot answer.
Task<User> fetch_remote_user(Ctx& ctx, std::string_view token);

}  // namespace ag::auth
