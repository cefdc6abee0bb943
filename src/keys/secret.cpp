#include "keys/secret.hpp"

#include <algorithm>

#include "crypto/sha256.hpp"

namespace ag::keys {
namespace {
constexpr std::size_t kRandomBytes = 20;
constexpr std::size_t kPrefixLength = 16;
}  // namespace

bool is_api_key(std::string_view token) { return token.starts_with("ag_"); }

bool well_formed(std::string_view token) {
  if (!token.starts_with(kSecretStart)) return false;
  std::string_view digits = token.substr(kSecretStart.size());
  return digits.size() == 2 * kRandomBytes && std::all_of(digits.begin(), digits.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string new_secret(const Ctx& ctx) { return std::string(kSecretStart) + ctx.random_hex(kRandomBytes); }

std::string prefix_of(std::string_view secret) { return std::string(secret.substr(0, kPrefixLength)); }

std::string secret_hash(std::string_view secret) { return crypto::sha256_hex(secret); }

}  // namespace ag::keys
