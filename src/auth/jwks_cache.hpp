#pragma once
// The Supabase project's signing keys, fetched from
// `<SUPABASE_URL>/auth/v1/.well-known/jwks.json` and kept in the isolate for ten minutes
// (Supabase's own edge caches the document as long). A token naming a `kid` the cache does
// not know triggers one early refetch, at most every 30 s, so a key rotation is picked up
// at once without letting forged `kid`s turn every request into a fetch.
#include <memory>
#include <optional>
#include <string>

#include "auth/jwks.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::auth {

inline constexpr std::int64_t kJwksTtlMs = 10 * 60 * 1000;
inline constexpr std::int64_t kJwksRefetchGapMs = 30 * 1000;

/// The current key set; raises 502 when there is none and the project cannot be reached.
/// Requires SUPABASE_URL.
Task<std::shared_ptr<const Jwks>> signing_keys(Ctx& ctx, const std::optional<std::string>& kid);

}  // namespace ag::auth
