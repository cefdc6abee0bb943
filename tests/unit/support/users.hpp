#pragma once
// Callers for handler tests: the admin and users with HS256 tokens, as a Driver configured
// with kAdminToken and kJwtSecret (SUPABASE_JWT_SECRET) accepts them without any I/O.
#include <cstdint>
#include <string>
#include <utility>

#include "support/jws_signer.hpp"

namespace ag::test {

inline constexpr std::int64_t kDriverNowS = 1'700'000'000;  // the Driver's clock at start
inline const std::string kAdminToken = "adm1n";
inline const std::string kJwtSecret = "super-secret-jwt-token-with-at-least-32-characters-long";
inline const std::pair<std::string, std::string> kAdminAuth = {"authorization", "Bearer " + kAdminToken};

/// An Authorization header for user `id`, valid for an hour of the Driver's clock.
inline std::pair<std::string, std::string> user_auth(const std::string& id) {
  Json claims = {{"sub", id}, {"aud", "authenticated"}, {"exp", kDriverNowS + 3600}, {"role", "authenticated"}};
  return {"authorization", "Bearer " + hs256_token(claims, kJwtSecret)};
}

}  // namespace ag::test
