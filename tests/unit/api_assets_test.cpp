#include <catch2/catch.hpp>

#include "assets/key.hpp"
#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kEnv = {{"APP_ADMIN_TOKEN", "adm1n"}, {"ASSET_MAX_BYTES", "1000"}};
const std::pair<std::string, std::string> kAdmin = {"authorization", "Bearer adm1n"};

Reply stored(const Json& effect) {
  REQUIRE(effect["op"] == "r2.put");
  return {{{"key", effect["key"]}, {"size", 11}, {"etag", "e1"}, {"uploaded", 1}}};
}

Reply object(const Json&) {
  return {{{"found", true},
           {"key", "public/a.txt"},
           {"size", 11},
           {"etag", "e1"},
           {"content_type", "text/plain"},
           {"uploaded", 1},
           {"handle", 3}}};
}
}  // namespace

TEST_CASE("asset keys follow the contract", "[assets]") {
  CHECK_FALSE(assets::key_problem("a"));
  CHECK_FALSE(assets::key_problem("users/u1/photo 1.png"));
  CHECK_FALSE(assets::key_problem("a..b/c"));
  CHECK_FALSE(assets::key_problem(std::string(1024, 'k')));
  CHECK(assets::key_problem(""));
  CHECK(assets::key_problem(std::string(1025, 'k')));
  CHECK(assets::key_problem("/a"));
  CHECK(assets::key_problem(".."));
  CHECK(assets::key_problem("a/../b"));
  CHECK(assets::key_problem("a/.."));
  CHECK(assets::key_problem("a\\b"));
  CHECK(assets::key_problem("a\nb"));
  CHECK(assets::key_problem(std::string("a\0b", 3)));
  CHECK(assets::key_problem("a\x7f"));
  CHECK(assets::is_private("users/u1/x"));
  CHECK(assets::is_private("outputs/u1/j1/x"));
  CHECK_FALSE(assets::is_private("public/x"));
  CHECK_FALSE(assets::is_private("usersx/x"));
  CHECK(assets::owner_of("users/u1/x") == "u1");
  CHECK(assets::owner_of("outputs/u1/j1/x") == "u1");
  CHECK_FALSE(assets::owner_of("users/u1"));
  CHECK_FALSE(assets::owner_of("users//x"));
  CHECK_FALSE(assets::owner_of("public/u1/x"));
}

TEST_CASE("PUT /assets streams the request body into R2", "[assets]") {
  Driver driver(kEnv);
  auto out = driver.run(
      {"PUT", "/assets/public/a.txt", {kAdmin, {"content-length", "11"}, {"content-type", "text/plain"}}, true},
      stored);
  CHECK(out.status() == 200);
  REQUIRE(out.effects.size() == 1);
  CHECK(out.effects[0]["body"] == Json{{"from", "request"}});
  CHECK(out.effects[0]["max_bytes"] == 1000);
  CHECK(out.effects[0]["content_type"] == "text/plain");
  CHECK(out.json() ==
        Json{{"ok", true}, {"key", "public/a.txt"}, {"size", 11}, {"etag", "e1"}, {"content_type", "text/plain"}});
}

TEST_CASE("PUT /assets refuses before touching the body", "[assets]") {
  Driver driver(kEnv);
  CHECK(driver.run({"PUT", "/assets/a", {{"content-length", "1"}}, true}).status() == 401);
  CHECK(driver.run({"PUT", "/assets/a", {{"authorization", "Bearer nope"}, {"content-length", "1"}}, true}).status() ==
        401);
  CHECK(driver.run({"PUT", "/assets/a", {kAdmin}, true}).status() == 411);
  auto big = driver.run({"PUT", "/assets/a", {kAdmin, {"content-length", "1001"}}, true});
  CHECK(big.status() == 413);
  CHECK(big.json()["error"] == "payload_too_large");
  CHECK(driver.run({"PUT", "/assets/a/../b", {kAdmin, {"content-length", "1"}}, true}).status() == 400);
  CHECK(driver.run({"PUT", "/assets/%2Fa", {kAdmin, {"content-length", "1"}}, true}).status() == 400);
  CHECK(driver.run({"PUT", "/assets/a%5Cb", {kAdmin, {"content-length", "1"}}, true}).status() == 400);
  CHECK(driver.run({"PUT", "/assets/a%00b", {kAdmin, {"content-length", "1"}}, true}).status() == 400);
}

TEST_CASE("PUT /assets maps the shim's size check and storage failures", "[assets]") {
  Driver driver(kEnv);
  auto too_large = driver.run({"PUT", "/assets/a", {kAdmin, {"content-length", "5"}}, true}, [](const Json&) {
    return Reply{{{"error", {{"code", "too_large"}}}}};
  });
  CHECK(too_large.status() == 413);
  auto broken = driver.run({"PUT", "/assets/a", {kAdmin, {"content-length", "5"}}, true}, [](const Json&) {
    return Reply{{{"error", {{"code", "r2_error"}, {"message", "boom"}}}}};
  });
  CHECK(broken.status() == 500);
  CHECK(broken.body().find("boom") == std::string::npos);
}

TEST_CASE("GET /assets streams a public object by handle", "[assets]") {
  Driver driver(kEnv);
  auto out = driver.get("/assets/public/a.txt", {}, object);
  CHECK(out.status() == 200);
  CHECK(out.response["body"] == Json{{"r2_body", 3}});
  CHECK(out.header("content-type") == "text/plain");
  CHECK(out.header("etag") == "\"e1\"");
  CHECK(out.header("content-length") == "11");
  CHECK(out.effects[0]["stream"] == true);
  CHECK_FALSE(out.effects[0].contains("if_none_match"));
}

TEST_CASE("GET /assets answers 304 for a matching If-None-Match", "[assets]") {
  Driver driver(kEnv);
  auto out = driver.get("/assets/public/a.txt", {{"if-none-match", "W/\"e1\""}}, [](const Json& effect) {
    Reply reply = object(effect);
    reply.value["not_modified"] = true;
    reply.value.erase("handle");
    return reply;
  });
  CHECK(out.effects[0]["if_none_match"] == "e1");
  CHECK(out.status() == 304);
  CHECK_FALSE(out.response.contains("body"));
  CHECK_FALSE(out.header("content-length"));
}

TEST_CASE("If-None-Match: malformed validators are ignored, a list matches on any tag", "[assets]") {
  Driver driver(kEnv);
  for (std::string ignored : {"\"", "W/\"", "e1", "\"e1", "\"e1\" junk", "W/", "\"a\"b\"", ",", ""}) {
    INFO(ignored);
    auto get = driver.get("/assets/public/a.txt", {{"if-none-match", ignored}}, object);
    CHECK(get.status() == 200);
    REQUIRE(get.effects.size() == 1);
    CHECK_FALSE(get.effects[0].contains("if_none_match"));
    CHECK(driver.run({"HEAD", "/assets/public/a.txt", {{"if-none-match", ignored}}}, object).status() == 200);
  }
  // RFC 9110 §13.1.2: weak comparison, any tag of the list, or "*" for any current version.
  for (std::string matching : {"\"x\", W/\"e1\"", " \"x\" ,, \"e1\" ", "*", "W/\"x\",\"e1\""}) {
    INFO(matching);
    auto get = driver.get("/assets/public/a.txt", {{"if-none-match", matching}}, object);
    CHECK(get.status() == 304);
    CHECK(get.effects[0]["op"] == "r2.head");
    CHECK(driver.run({"HEAD", "/assets/public/a.txt", {{"if-none-match", matching}}}, object).status() == 304);
  }
  auto other = driver.get("/assets/public/a.txt", {{"if-none-match", "\"x\", \"y\""}}, object);
  CHECK(other.status() == 200);
  CHECK(other.header("content-length") == "11");
  CHECK(driver.run({"HEAD", "/assets/public/a.txt", {{"if-none-match", "\"x\", \"y\""}}}, object).status() == 200);
}

TEST_CASE("GET and HEAD /assets: 404, private keys, HEAD from metadata", "[assets]") {
  Driver driver(kEnv);
  auto missing = driver.get("/assets/nothing", {}, [](const Json&) { return Reply{{{"found", false}}}; });
  CHECK(missing.status() == 404);
  CHECK(missing.json()["error"] == "not_found");
  CHECK(driver.get("/assets/users/u1/secret.png").status() == 401);
  CHECK(driver.get("/assets/outputs/u1/j/x.png").status() == 401);
  CHECK(driver.get("/assets/users/u1/secret.png", {kAdmin}, object).status() == 200);

  auto head = driver.run({"HEAD", "/assets/public/a.txt"}, object);
  CHECK(head.status() == 200);
  CHECK(head.effects[0]["op"] == "r2.head");
  CHECK(head.header("content-length") == "11");
  CHECK_FALSE(head.response.contains("body"));
}

TEST_CASE("GET /assets with Range: metadata first, then the slice as a 206", "[assets][range]") {
  Driver driver(kEnv);
  auto ranged = [](const Json& effect) {
    Reply reply = object(effect);
    if (effect["op"] == "r2.head") reply.value.erase("handle");
    return reply;
  };
  auto out = driver.get("/assets/public/a.txt", {{"range", "bytes=2-4"}}, ranged);
  CHECK(out.status() == 206);
  REQUIRE(out.effects.size() == 2);
  CHECK(out.effects[0]["op"] == "r2.head");
  CHECK(out.effects[1]["range"] == Json{{"offset", 2}, {"length", 3}});
  CHECK(out.header("content-range") == "bytes 2-4/11");
  CHECK(out.header("content-length") == "3");
  CHECK(out.header("accept-ranges") == "bytes");
  CHECK(out.response["body"] == Json{{"r2_body", 3}});

  auto suffix = driver.get("/assets/public/a.txt", {{"range", "bytes=-4"}}, ranged);
  CHECK(suffix.effects[1]["range"] == Json{{"offset", 7}, {"length", 4}});
  CHECK(suffix.header("content-range") == "bytes 7-10/11");

  auto beyond = driver.get("/assets/public/a.txt", {{"range", "bytes=11-"}}, ranged);
  CHECK(beyond.status() == 416);
  CHECK(beyond.header("content-range") == "bytes */11");
  CHECK(beyond.json()["error"] == "range_not_satisfiable");
  CHECK(beyond.effects.size() == 1);
}

TEST_CASE("GET /assets with Range: what is not honoured gets the whole object", "[assets][range]") {
  Driver driver(kEnv);
  auto whole = [](const Json& effect) { return object(effect); };
  auto several = driver.get("/assets/public/a.txt", {{"range", "bytes=0-1,4-5"}}, whole);
  CHECK(several.status() == 200);
  CHECK_FALSE(several.effects.back().contains("range"));
  CHECK(several.header("content-length") == "11");

  auto other_version = driver.get("/assets/public/a.txt", {{"range", "bytes=0-1"}, {"if-range", "\"e0\""}}, whole);
  CHECK(other_version.status() == 200);
  auto same_version = driver.get("/assets/public/a.txt", {{"range", "bytes=0-1"}, {"if-range", "\"e1\""}}, whole);
  CHECK(same_version.status() == 206);

  auto cached = driver.get("/assets/public/a.txt", {{"range", "bytes=0-1"}, {"if-none-match", "\"e1\""}}, whole);
  CHECK(cached.status() == 304);
  CHECK(cached.effects.size() == 1);
  CHECK(driver.run({"HEAD", "/assets/public/a.txt", {{"if-none-match", "\"e1\""}}}, whole).status() == 304);
}
