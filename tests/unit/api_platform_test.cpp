// Cross-cutting behaviour of every endpoint: 404/405, request ids, CORS, headers.
#include <catch2/catch.hpp>

#include "api/openapi_document.hpp"
#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

TEST_CASE("unknown paths get a JSON 404", "[api]") {
  Driver driver;
  auto out = driver.get("/nope");
  CHECK(out.status() == 404);
  CHECK(out.json()["ok"] == false);
  CHECK(out.json()["error"] == "not_found");
  CHECK(out.header("content-type") == "application/json; charset=utf-8");
}

TEST_CASE("a wrong method gets 405 with Allow", "[api]") {
  Driver driver;
  auto out = driver.run({"DELETE", "/health"});
  CHECK(out.status() == 405);
  CHECK(out.header("allow") == "GET, HEAD, OPTIONS");
  CHECK(out.json()["error"] == "method_not_allowed");
}

TEST_CASE("every response carries a request id; a plain caller id is kept", "[api]") {
  Driver driver;
  auto minted = driver.get("/health");
  REQUIRE(minted.header("x-request-id"));
  CHECK(minted.header("x-request-id")->size() == 32);
  CHECK(driver.get("/nope").header("x-request-id"));
  CHECK(driver.get("/health", {{"x-request-id", "abc-123"}}).header("x-request-id") == "abc-123");
  CHECK(driver.get("/health", {{"x-request-id", "bad id\n"}}).header("x-request-id") != "bad id\n");
}

TEST_CASE("CORS preflight and actual responses follow CORS_ORIGINS", "[api][cors]") {
  Driver driver({{"CORS_ORIGINS", "https://app.alphogen.com, https://staging.alphogen.com"}});
  auto pre = driver.run(
      {"OPTIONS", "/health", {{"origin", "https://app.alphogen.com"}, {"access-control-request-method", "GET"}}});
  CHECK(pre.status() == 204);
  CHECK(pre.header("access-control-allow-origin") == "https://app.alphogen.com");
  CHECK(pre.header("access-control-allow-methods") == "GET, HEAD, OPTIONS");
  CHECK(pre.header("vary") == "Origin");

  auto stranger = driver.run({"OPTIONS", "/health", {{"origin", "https://evil.example"}}});
  CHECK(stranger.status() == 204);
  CHECK_FALSE(stranger.header("access-control-allow-origin"));

  CHECK(driver.run({"OPTIONS", "/nope", {{"origin", "https://app.alphogen.com"}}}).status() == 404);

  auto actual = driver.get("/health", {{"origin", "https://staging.alphogen.com"}});
  CHECK(actual.header("access-control-allow-origin") == "https://staging.alphogen.com");
  CHECK(actual.header("access-control-expose-headers")->find("x-request-id") != std::string::npos);

  Driver any({{"CORS_ORIGINS", "*"}});
  CHECK(any.get("/health", {{"origin", "https://x.example"}}).header("access-control-allow-origin") == "*");
  Driver none;
  CHECK_FALSE(none.get("/health", {{"origin", "https://x.example"}}).header("access-control-allow-origin"));
}

TEST_CASE("HEAD answers with the headers of GET and no body", "[api]") {
  Driver driver;
  auto out = driver.run({"HEAD", "/health"});
  CHECK(out.status() == 200);
  CHECK_FALSE(out.response.contains("body"));
  CHECK(out.header("content-length"));
  // Errors too: the shim sends exactly what the core answers.
  auto missing = driver.run({"HEAD", "/no/such/route"});
  CHECK(missing.status() == 404);
  CHECK_FALSE(missing.response.contains("body"));
}

TEST_CASE("responses carry security headers and no-store by default, errors too", "[api]") {
  Driver driver;
  for (const auto& out : {driver.get("/health"), driver.get("/no/such/route")}) {
    CHECK(out.header("x-content-type-options") == "nosniff");
    CHECK(out.header("content-security-policy") == "default-src 'none'; frame-ancestors 'none'; sandbox");
    CHECK(out.header("x-frame-options") == "DENY");
    CHECK(out.header("referrer-policy") == "no-referrer");
    CHECK(out.header("strict-transport-security") == "max-age=31536000; includeSubDomains");
    CHECK(out.header("cache-control") == "no-store");
  }
}

TEST_CASE("GET /openapi.json serves the embedded OpenAPI 3.1 document for every route", "[api][openapi]") {
  Driver driver;
  auto out = driver.get("/openapi.json");
  CHECK(out.status() == 200);
  Json doc = out.json();
  CHECK(doc["openapi"].get<std::string>().rfind("3.1", 0) == 0);
  CHECK(out.body() == api::openapi_document());

  // Every route the router knows is documented, with its method.
  api::App app;
  for (const auto& route : app.router().routes()) {
    std::string path;
    for (const auto& segment : route.segments) {
      path += "/";
      bool param = !segment.empty() && (segment[0] == ':' || segment[0] == '*');
      path += param ? "{" + segment.substr(1) + "}" : segment;
    }
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    INFO(route.method << " " << route.pattern);
    REQUIRE(doc["paths"].contains(path));
    CHECK(doc["paths"][path].contains(method));
  }
}
