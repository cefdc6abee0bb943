// Which failures of a statement mean "no database" (503) rather than a problem with the
// statement: decided here, in one place; the shim reports every SQLSTATE as it came.
#include <catch2/catch.hpp>

#include "db/query.hpp"

using namespace ag;

namespace {
EffectResult failed_with(const char* code) { return EffectResult{{{"error", {{"code", code}, {"message", "m"}}}}}; }
}  // namespace

TEST_CASE("connection, authorisation, missing-database, resource and shutdown classes are unavailable", "[db]") {
  for (const char* code :
       {"unavailable", "08006", "08001", "28P01", "28000", "3D000", "53300", "53200", "57P01", "57P03"}) {
    INFO(code);
    CHECK(db::is_unavailable(failed_with(code)));
  }
  for (const char* code : {"23505", "22023", "22P02", "AG402", "AG422", "42P01", "40001", "3F000"}) {
    INFO(code);
    CHECK_FALSE(db::is_unavailable(failed_with(code)));
  }
  CHECK_FALSE(db::is_unavailable(EffectResult{{{"rows", Json::array()}}}));
}
