#include <catch2/catch.hpp>

#include "core/time.hpp"

TEST_CASE("iso8601_utc formats unix milliseconds as RFC 3339 UTC", "[time]") {
  CHECK(ag::iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(ag::iso8601_utc(1'700'000'000'000) == "2023-11-14T22:13:20.000Z");
  CHECK(ag::iso8601_utc(951'782'400'123) == "2000-02-29T00:00:00.123Z");  // a leap day
  CHECK(ag::iso8601_utc(1'798'761'599'999) == "2026-12-31T23:59:59.999Z");
  CHECK(ag::iso8601_utc(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(ag::iso8601_utc(253'402'300'799'000) == "9999-12-31T23:59:59.000Z");
}
