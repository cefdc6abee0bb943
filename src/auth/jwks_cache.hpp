#pragma once
// Published signing keys (the Supabase project's, `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`;
// fal's webhook keys, FAL_JWKS_URL), each set kept in the isolate for ten minutes (Supabase's
// own edge caches its document as long). A signature the cached keys cannot check (a `kid`
// the cache does not know) triggers one early refetch, at most every 30 s, so a key rotation
// is picked up at once without letting forged signatures turn every request into a fetch.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/jwks.hpp"
#include "core/ctx.hpp"
#include "core/errors.hpp"
#include "core/task.hpp"

namespace ag::auth {

inline constexpr std::int64_t kJwksTtlMs = 10 * 60 * 1000;
inline constexpr std::int64_t kJwksRefetchGapMs = 30 * 1000;

/// The key set published at `url`. `lacks_key` says whether a cached set cannot check the
/// caller's signature (which may refetch it early). Raises `unavailable` when there is no
/// set and none can be fetched.
Task<std::shared_ptr<const Jwks>> key_set(Ctx& ctx, const std::string& url,
                                          const std::function<bool(const Jwks&)>& lacks_key, ApiError unavailable);

/// The Supabase project's current key set; raises 502 when there is none and the project
/// cannot be reached. Requires SUPABASE_URL.
Task<std::shared_ptr<const Jwks>> signing_keys(Ctx& ctx, const std::optional<std::string>& kid);

}  // namespace ag::auth
