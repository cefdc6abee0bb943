#include <catch2/catch.hpp>

#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kEnv = {{"WEBHOOK_SECRET", "whs3cret"}};

testing::Responder body_is(std::string body) {
  return [body](const Json& effect) {
    REQUIRE(effect["op"] == "request.body");
    return Reply{Json::object(), body};
  };
}
}  // namespace

TEST_CASE("POST /webhooks/test needs the configured secret", "[webhooks]") {
  Driver driver(kEnv);
  auto none = driver.run({"POST", "/webhooks/test", {}, true});
  CHECK(none.status() == 401);
  CHECK(none.json()["error"] == "unauthorized");
  CHECK(driver.run({"POST", "/webhooks/test", {{"x-webhook-secret", "whs3cre"}}, true}).status() == 401);
  Driver unconfigured;
  CHECK(unconfigured.run({"POST", "/webhooks/test", {{"x-webhook-secret", ""}}, true}).status() == 401);
}

TEST_CASE("POST /webhooks/test answers at once and logs the delivery afterwards", "[webhooks]") {
  Driver driver(kEnv);
  auto out = driver.run(
      {"POST",
       "/webhooks/test",
       {{"x-webhook-secret", "whs3cret"}, {"content-type", "application/json"}, {"authorization", "Bearer tok"}},
       true},
      body_is(R"({"test":true})"));
  CHECK(out.status() == 200);
  Json body = out.json();
  CHECK(body["ok"] == true);
  CHECK(body["received"] == true);
  std::string event_id = body["event_id"];
  CHECK(event_id.size() == 36);
  CHECK(event_id[14] == '4');

  REQUIRE(out.deferred.size() == 1);
  const Json& insert = out.deferred[0];
  CHECK(insert["op"] == "sql");
  CHECK(insert["params"][0] == event_id);
  CHECK(insert["params"][1] == "/webhooks/test");
  Json payload = *parse_json(insert["params"][2].get<std::string>());
  CHECK(payload["body"] == Json{{"test", true}});
  CHECK(payload["headers"]["x-webhook-secret"] == "[redacted]");
  CHECK(payload["headers"]["authorization"] == "[redacted]");
  CHECK(payload["headers"]["content-type"] == "application/json");
  CHECK(insert["params"][2].get<std::string>().find("whs3cret") == std::string::npos);
}

TEST_CASE("POST /webhooks/test keeps a non-JSON body as text and caps the size", "[webhooks]") {
  Driver driver(kEnv);
  auto text = driver.run({"POST", "/webhooks/test", {{"x-webhook-secret", "whs3cret"}}, true}, body_is("plain \xff"));
  CHECK(text.status() == 200);
  Json payload = *parse_json(text.deferred[0]["params"][2].get<std::string>());
  CHECK(payload["body"].is_string());

  auto big =
      driver.run({"POST", "/webhooks/test", {{"x-webhook-secret", "whs3cret"}, {"content-length", "999999999"}}, true});
  CHECK(big.status() == 413);
  auto streamed = driver.run({"POST", "/webhooks/test", {{"x-webhook-secret", "whs3cret"}}, true}, [](const Json&) {
    return Reply{{{"error", {{"code", "too_large"}}}}};
  });
  CHECK(streamed.status() == 413);
}
