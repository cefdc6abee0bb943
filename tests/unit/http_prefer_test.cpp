// The Prefer header's wait preference (RFC 7240), as POST /jobs reads it.
#include <catch2/catch.hpp>

#include "http/prefer.hpp"

using ag::http::wait_preference;

TEST_CASE("Prefer: wait=N is N seconds, a bare wait the most, capped at 60", "[prefer]") {
  CHECK(wait_preference("wait=5") == 5);
  CHECK(wait_preference("WAIT = 12") == 12);
  CHECK(wait_preference("wait=\"7\"") == 7);
  CHECK(wait_preference("wait") == 60);
  CHECK(wait_preference("wait=61") == 60);
  CHECK(wait_preference("wait=99999999999999") == 60);
  CHECK(wait_preference("respond-async, wait=3") == 3);
  CHECK(wait_preference("return=minimal; foo=bar, wait=9;x=1") == 9);
}

TEST_CASE("Prefer without a usable wait is no preference", "[prefer]") {
  CHECK_FALSE(wait_preference(std::nullopt));
  CHECK_FALSE(wait_preference(""));
  CHECK_FALSE(wait_preference("respond-async"));
  CHECK_FALSE(wait_preference("wait=0"));
  CHECK_FALSE(wait_preference("wait=-1"));
  CHECK_FALSE(wait_preference("wait=soon"));
  CHECK_FALSE(wait_preference("wait="));
  CHECK_FALSE(wait_preference("waiting=5"));
}
