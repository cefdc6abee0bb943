#pragma once
// Users of recently verified tokens, so a client that sends the same token on every request
// pays for one signature check (or API key lookup) per isolate, not one per request. Keyed by
// the token's SHA-256 (the token itself is a credential and is not kept); an entry lives until
// the token's `exp` (an API key's: a minute, auth/api_key.hpp). Bounded: when full, expired
// entries go first, then everything.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/user.hpp"

namespace ag::auth {

class VerifiedTokens {
 public:
  static constexpr std::size_t kCapacity = 1024;

  /// The user of `token` if it was verified and has not expired at `now_s`.
  std::optional<User> find(std::string_view token, std::int64_t now_s);
  void remember(std::string_view token, const User& user, std::int64_t exp_s, std::int64_t now_s);
  /// Drops the entry of API key `key_id` (revoked), if there is one.
  void forget_key(const std::string& key_id);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    User user;
    std::int64_t exp_s;
  };
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ag::auth
