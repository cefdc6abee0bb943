#include <catch2/catch.hpp>

#include "auth/token_cache.hpp"

using ag::auth::User;
using ag::auth::VerifiedTokens;

TEST_CASE("VerifiedTokens keeps a user until the token's exp", "[auth][cache]") {
  VerifiedTokens cache;
  cache.remember("token-a", User{"u-a", "a@x", "authenticated"}, 1000, 900);
  REQUIRE(cache.find("token-a", 999));
  CHECK(cache.find("token-a", 999)->id == "u-a");
  CHECK_FALSE(cache.find("token-b", 999));
  CHECK_FALSE(cache.find("token-a", 1000));
  CHECK(cache.size() == 0);                          // the expired entry went with the lookup
  cache.remember("token-c", User{"u-c"}, 900, 900);  // already expired: not kept
  CHECK(cache.size() == 0);
}

TEST_CASE("VerifiedTokens stays bounded, dropping expired entries first", "[auth][cache]") {
  VerifiedTokens cache;
  cache.remember("long-lived", User{"u-long"}, 5000, 0);
  for (std::size_t i = 1; i < VerifiedTokens::kCapacity; ++i)
    cache.remember("t" + std::to_string(i), User{"u"}, 100, 0);
  REQUIRE(cache.size() == VerifiedTokens::kCapacity);
  cache.remember("newcomer", User{"u-new"}, 5000, 200);
  CHECK(cache.size() == 2);
  CHECK(cache.find("long-lived", 200));
  CHECK(cache.find("newcomer", 200));

  for (std::size_t i = 0; cache.size() < VerifiedTokens::kCapacity; ++i)
    cache.remember("live" + std::to_string(i), User{"u"}, 5000, 200);
  cache.remember("overflow", User{"u-over"}, 5000, 200);  // nothing expired: start over
  CHECK(cache.size() == 1);
  CHECK(cache.find("overflow", 200));
}
