#include <catch2/catch.hpp>

#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const std::vector<std::pair<std::string, std::string>> kAdmin = {{"authorization", "Bearer adm1n"}};

Reply healthy(const Json& effect) {
  if (effect["op"] == "sql") return {{{"rows", {{{"ok", 1}}}}, {"count", 1}}};
  return {{{"found", false}}};
}
}  // namespace

TEST_CASE("GET /health answers ok, the shim's time and the version without I/O", "[health]") {
  Driver driver;
  auto out = driver.get("/health");
  CHECK(out.status() == 200);
  CHECK(out.json()["ok"] == true);
  CHECK(out.json()["ts"] == 1'700'000'000'000);
  CHECK(out.json()["version"] == AG_VERSION);
  CHECK(out.effects.empty());
}

TEST_CASE("GET /health?deep=1 needs the admin token", "[health]") {
  Driver driver({{"APP_ADMIN_TOKEN", "adm1n"}});
  CHECK(driver.get("/health?deep=1").status() == 401);
  CHECK(driver.get("/health?deep=1", {{"authorization", "Bearer wrong"}}).status() == 401);
  Driver unconfigured;
  CHECK(unconfigured.get("/health?deep=1", {{"authorization", "Bearer "}}).status() == 401);
}

TEST_CASE("GET /health?deep=1 checks the database and R2 at once", "[health]") {
  Driver driver({{"APP_ADMIN_TOKEN", "adm1n"}});
  auto out = driver.get("/health?deep=1", kAdmin, healthy);
  CHECK(out.status() == 200);
  CHECK(out.steps == 2);
  REQUIRE(out.effects.size() == 2);
  CHECK(out.effects[0]["op"] == "sql");
  CHECK(out.effects[1]["op"] == "r2.head");
  CHECK(out.json()["checks"] == Json{{"database", {{"ok", true}}}, {"storage", {{"ok", true}}}});
}

TEST_CASE("GET /health?deep=1 reports a failing dependency with 503", "[health]") {
  Driver driver({{"APP_ADMIN_TOKEN", "adm1n"}});
  auto out = driver.get("/health?deep=1", kAdmin, [](const Json& effect) {
    if (effect["op"] == "sql") return Reply{{{"error", {{"code", "unavailable"}, {"message", "ECONNREFUSED"}}}}};
    return healthy(effect);
  });
  CHECK(out.status() == 503);
  CHECK(out.json()["ok"] == false);
  CHECK(out.json()["error"] == "unhealthy");
  CHECK(out.json()["checks"]["database"] == Json{{"ok", false}, {"error", "unavailable"}});
  CHECK(out.json()["checks"]["storage"]["ok"] == true);
  CHECK(out.body().find("ECONNREFUSED") == std::string::npos);
}
