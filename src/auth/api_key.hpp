#pragma once
// API keys as credentials (docs/endpoints.md "API keys"): `Authorization: Bearer ag_live_...`
// acts as the key's user, except where only a session may act (auth/require.hpp). A key's
// lookup is cached per isolate for kKeyCacheSeconds, so a revoked key is refused everywhere
// within that bound (at once on the isolate that revoked it), and a client calling with its
// key pays one database round trip per isolate and minute, not one per request.
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::auth {

inline constexpr std::int64_t kKeyCacheSeconds = 60;

/// The user of the API key `token`; raises 401 for a malformed, unknown or revoked key.
Task<User> verify_api_key(Ctx& ctx, std::string_view token);

/// Forgets this isolate's copy of key `key_id` (it was revoked here).
void forget_api_key(Ctx& ctx, const std::string& key_id);

}  // namespace ag::auth
