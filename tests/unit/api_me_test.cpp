#include <catch2/catch.hpp>

#include "support/driver.hpp"

using namespace ag;
using testing::Driver;
using testing::Reply;

namespace {
const Driver::Env kEnv = {{"SUPABASE_URL", "http://127.0.0.1:9/"},
                                                 {"SUPABASE_SERVICE_ROLE", "service-key"}};
const std::pair<std::string, std::string> kUser = {"authorization", "Bearer user.jwt.token"};

testing::Responder supabase_answers(int status, std::string body) {
  return [status, body](const Json& effect) {
    REQUIRE(effect["op"] == "fetch");
    return Reply{{{"status", status}, {"headers", Json::array()}, {"has_body", true}}, body};
  };
}
}  // namespace

TEST_CASE("GET /me is a 501 noop without Supabase", "[me]") {
  Driver driver;
  auto out = driver.get("/me", {kUser});
  CHECK(out.status() == 501);
  CHECK(out.json() == Json{{"ok", true}, {"provider", "noop"}, {"message", "supabase_not_configured"}});
}

TEST_CASE("GET /me asks Supabase Auth for the token's user", "[me]") {
  Driver driver(kEnv);
  auto out = driver.get("/me", {kUser},
                        supabase_answers(200, R"({"id":"u-1","email":"a@b.c","role":"authenticated","aud":"x"})"));
  CHECK(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"user", {{"id", "u-1"}, {"email", "a@b.c"}, {"role", "authenticated"}}}});
  REQUIRE(out.effects.size() == 1);
  const Json& call = out.effects[0];
  CHECK(call["method"] == "GET");
  CHECK(call["url"] == "http://127.0.0.1:9/auth/v1/user");
  CHECK(call["headers"] == Json::array({{"authorization", "Bearer user.jwt.token"}, {"apikey", "service-key"}}));
}

TEST_CASE("GET /me: missing or rejected tokens are 401, an unreachable Supabase 502", "[me]") {
  Driver driver(kEnv);
  CHECK(driver.get("/me").status() == 401);
  CHECK(driver.get("/me", {{"authorization", "Basic abc"}}).status() == 401);
  CHECK(driver.get("/me", {kUser}, supabase_answers(401, R"({"msg":"bad jwt"})")).status() == 401);
  CHECK(driver.get("/me", {kUser}, supabase_answers(200, R"({"email":"no id"})")).status() == 502);
  CHECK(driver.get("/me", {kUser}, supabase_answers(500, "oops")).status() == 502);
  auto down = driver.get("/me", {kUser}, [](const Json&) { return Reply{{{"error", {{"code", "timeout"}}}}}; });
  CHECK(down.status() == 502);
  CHECK(down.json()["error"] == "provider_error");
}
