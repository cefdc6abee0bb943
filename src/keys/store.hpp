#pragma once
// Every statement about API keys (their SQL functions: migrations/functions/api_keys.sql), one
// round trip each.
#include <cstdint>
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::keys {

/// The most active keys a user may hold.
inline constexpr std::int64_t kMaxKeysPerUser = 20;

struct NewKey {
  std::string user_id;
  std::string name;
  std::string prefix;
  std::string secret_hash;
};

/// The key as lists show it ({id, name, prefix, created_at}); nullopt when the user already
/// holds kMaxKeysPerUser active keys.
Task<std::optional<Json>> create_key(Ctx& ctx, const NewKey& key);

/// The user's active keys, newest first: rows of id, name, prefix, created_at, last_used_at.
Task<Json> list_keys(Ctx& ctx, const std::string& user_id);

/// Whether the user's active key `key_id` was revoked now (false: none such).
Task<bool> revoke_key(Ctx& ctx, const std::string& user_id, const std::string& key_id);

/// The active key with this secret hash: {id, user_id}, its use recorded; nullopt when none.
Task<std::optional<Json>> key_caller(Ctx& ctx, const std::string& secret_hash);

}  // namespace ag::keys
