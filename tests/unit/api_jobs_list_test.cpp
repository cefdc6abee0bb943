// GET /jobs carries no provider `result`: a page of 100 jobs each holding a large RunPod reply
// would be 100 times that; GET /jobs/:id shows it.
#include <catch2/catch.hpp>

#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

TEST_CASE("GET /jobs leaves each job's result to GET /jobs/:id", "[jobs][list]") {
  Driver driver({{"SUPABASE_JWT_SECRET", test::kJwtSecret}});
  const Json row = {{"id", "00000000-0000-4000-8000-000000000001"},
                    {"user_id", "11111111-1111-4111-8111-111111111111"},
                    {"status", "completed"},
                    {"cost_credits", 1},
                    {"result", {{"output", std::string(1000, 'x')}}},
                    {"created_at", "2026-11-22T04:00:00.000Z"},
                    {"position", "2026-11-22 04:00:00.123456+00"}};
  auto out = driver.get("/jobs", {test::user_auth("11111111-1111-4111-8111-111111111111")}, [&](const Json&) {
    return Reply{{{"rows", Json::array({row})}}};
  });
  REQUIRE(out.status() == 200);
  CHECK(out.effects[0]["query"].get<std::string>().find("result") == std::string::npos);
  REQUIRE(out.json()["jobs"].size() == 1);
  CHECK_FALSE(out.json()["jobs"][0].contains("result"));
  CHECK(out.json()["jobs"][0]["status"] == "completed");
}
