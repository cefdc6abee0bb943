// What every client's JSON body must be before a handler reads a field of it, across the
// endpoints that read one: refused with a 400 that says what is wrong, before any SQL.
#include <catch2/catch.hpp>

#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kEnv = {
    {"APP_ADMIN_TOKEN", test::kAdminToken}, {"SUPABASE_JWT_SECRET", test::kJwtSecret}, {"WEBHOOK_SECRET", "whs3cret"}};
const std::string kUser = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";

/// A POST of `body` as the admin; any effect past reading the body fails the test.
testing::Outcome post_as_admin(Driver& driver, const std::string& path, const std::string& body) {
  return driver.run({"POST", path, {test::kAdminAuth, {"content-length", std::to_string(body.size())}}, true, body});
}

std::string message(const testing::Outcome& out) { return out.json().value("message", ""); }
}  // namespace

TEST_CASE("a U+0000 in any string of a body is a 400 naming the field", "[body]") {
  Driver driver(kEnv);
  auto prompt = post_as_admin(driver, "/jobs", R"({"prompt":"a\u0000b"})");
  CHECK(prompt.status() == 400);
  CHECK(prompt.json()["error"] == "invalid_request");
  CHECK(message(prompt) == "prompt must not contain U+0000 (NUL)");
  CHECK(prompt.effects.empty());

  auto value = post_as_admin(driver, "/jobs", R"({"prompt":"ok","input":{"seed":1,"tags":["x","\u0000"]}})");
  CHECK(value.status() == 400);
  CHECK(message(value) == "input.tags[1] must not contain U+0000 (NUL)");

  auto key = post_as_admin(driver, "/jobs", R"({"prompt":"ok","input":{"a\u0000b":1}})");
  CHECK(key.status() == 400);
  CHECK(message(key) == R"(input["a\u0000b"] must not contain U+0000 (NUL))");

  std::string credit = R"({"user_id":")" + kUser + R"(","amount":5,"reason":"r\u0000","idempotency_key":"k"})";
  auto reason = post_as_admin(driver, "/admin/credits", credit);
  CHECK(reason.status() == 400);
  CHECK(message(reason) == "reason must not contain U+0000 (NUL)");
  CHECK(reason.effects.empty());
}

TEST_CASE("a test webhook carrying U+0000 is still logged, with the character replaced", "[body][webhooks]") {
  Driver driver(kEnv);
  for (std::string body : {std::string(R"({"a\u0000":"b\u0000c"})"), std::string("raw\0text", 8)}) {
    auto out = driver.run({"POST", "/webhooks/test", {{"x-webhook-secret", "whs3cret"}}, true, body});
    CHECK(out.status() == 200);
    REQUIRE(out.deferred.size() == 1);
    std::string payload = out.deferred[0]["params"][2].get<std::string>();
    // Postgres' jsonb refuses \u0000 (SQLSTATE 22P05) and text refuses the byte (22021).
    CHECK(payload.find("\\u0000") == std::string::npos);
    CHECK(payload.find('\0') == std::string::npos);
    CHECK((payload.find("\\ufffd") != std::string::npos || payload.find("\xef\xbf\xbd") != std::string::npos));
  }
}

TEST_CASE("a refused body's message says what is wrong with it", "[body]") {
  Driver driver(kEnv);
  auto syntax = post_as_admin(driver, "/jobs", R"({"prompt":"a",})");
  CHECK(syntax.status() == 400);
  CHECK(message(syntax) == "invalid JSON body: syntax error at byte 15");
  CHECK(message(post_as_admin(driver, "/jobs", "")) == "invalid JSON body: syntax error at byte 1");

  auto array = post_as_admin(driver, "/jobs", R"(["prompt"])");
  CHECK(array.status() == 400);
  CHECK(message(array) == "the body must be a JSON object");

  std::string deep = std::string(200, '[') + std::string(200, ']');
  auto nested = post_as_admin(driver, "/jobs", R"({"prompt":"a","input":{"x":)" + deep + "}}");
  CHECK(nested.status() == 400);
  CHECK(message(nested) == "invalid JSON body: nested deeper than 128 levels");
}

TEST_CASE("a key twice in one object of a client's body is a 400, money fields included", "[body]") {
  Driver driver(kEnv);
  std::string credit = R"({"user_id":")" + kUser + R"(","amount":1,"reason":"r","idempotency_key":"k","amount":999})";
  auto twice = post_as_admin(driver, "/admin/credits", credit);
  CHECK(twice.status() == 400);
  CHECK(message(twice) == R"(invalid JSON body: the key "amount" appears twice in one object)");
  CHECK(twice.effects.empty());

  auto nested = post_as_admin(driver, "/jobs", R"({"prompt":"a","input":{"seed":1,"seed":2}})");
  CHECK(nested.status() == 400);
  CHECK(message(nested) == R"(invalid JSON body: the key "seed" appears twice in one object)");
  // The same key in sibling objects is no duplicate.
  auto siblings =
      post_as_admin(driver, "/assets/sign", R"({"a":{"k":1},"b":{"k":2},"key":"..","c":[{"k":1},{"k":2}]})");
  CHECK(siblings.status() == 400);
  CHECK(message(siblings).find("twice") == std::string::npos);
}

TEST_CASE("length limits count characters (code points), as JSON Schema's maxLength does", "[body]") {
  Driver driver(kEnv);
  auto reaches_sql = [](const Json& effect) {
    REQUIRE(effect["op"] == "sql");
    if (is_catalog(effect)) return catalog();
    return Reply{{{"rows", Json::array({{{"outcome", "unknown_model"}}})}}};
  };
  std::string e_acute = "\xc3\xa9";
  auto prompt_of = [&](std::size_t characters) {
    std::string prompt;
    for (std::size_t i = 0; i < characters; ++i) prompt += e_acute;
    return dump(Json{{"prompt", prompt}});
  };
  auto run = [&](const std::string& path, const std::string& body, const testing::Responder& respond) {
    return driver.run({"POST", path, {test::kAdminAuth, {"content-length", std::to_string(body.size())}}, true, body},
                      respond);
  };
  auto longest = run("/jobs", prompt_of(4000), reaches_sql);  // 8000 bytes
  CHECK(message(longest) == "unknown or disabled model");
  auto over = run("/jobs", prompt_of(4001), reaches_sql);  // the model's schema counts characters
  CHECK(message(over) == "input.prompt must be at most 4000 characters");

  std::string key;
  for (int i = 0; i < 255; ++i) key += e_acute;
  Json credit = {{"user_id", kUser}, {"amount", 5}, {"reason", "r"}, {"idempotency_key", key}};
  auto granted = run("/admin/credits", dump(credit), [](const Json&) {
    return Reply{{{"rows", Json::array({{{"applied", true}, {"balance", "5"}}})}}};
  });
  CHECK(granted.status() == 200);
  credit["idempotency_key"] = key + "x";
  CHECK(message(run("/admin/credits", dump(credit), testing::no_effects_expected)) ==
        "idempotency_key must be a string of 1 to 255 characters");
}
