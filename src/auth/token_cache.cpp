#include "auth/token_cache.hpp"

#include "crypto/sha256.hpp"

namespace ag::auth {
namespace {
std::string digest_of(std::string_view token) {
  crypto::Sha256Digest digest = crypto::sha256(token);
  return std::string(crypto::as_bytes(digest));
}
}  // namespace

std::optional<User> VerifiedTokens::find(std::string_view token, std::int64_t now_s) {
  auto it = entries_.find(digest_of(token));
  if (it == entries_.end()) return std::nullopt;
  if (it->second.exp_s <= now_s) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void VerifiedTokens::remember(std::string_view token, const User& user, std::int64_t exp_s, std::int64_t now_s) {
  if (exp_s <= now_s) return;
  if (entries_.size() >= kCapacity) {
    std::erase_if(entries_, [now_s](const auto& entry) { return entry.second.exp_s <= now_s; });
    if (entries_.size() >= kCapacity) entries_.clear();
  }
  entries_[digest_of(token)] = Entry{user, exp_s};
}

void VerifiedTokens::forget_key(const std::string& key_id) {
  std::erase_if(entries_, [&key_id](const auto& entry) { return entry.second.user.key_id == key_id; });
}

}  // namespace ag::auth
