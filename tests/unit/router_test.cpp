#include <catch2/catch.hpp>

#include "core/router.hpp"

using namespace ag;

namespace {
Task<Response> a(Ctx&, const Request&) { co_return Response{}; }
Task<Response> b(Ctx&, const Request&) { co_return Response{}; }

Router sample() {
  Router router;
  router.add("GET", "/health", a)
      .add("GET", "/jobs/:id", a)
      .add("POST", "/jobs/:id/cancel", b)
      .add("POST", "/assets/sign", b)
      .add("PUT", "/assets/*key", a)
      .add("GET", "/assets/*key", b);
  return router;
}

const Router::Found& found(const Router::Match& match) {
  REQUIRE(std::holds_alternative<Router::Found>(match));
  return std::get<Router::Found>(match);
}
}  // namespace

TEST_CASE("literal routes match exactly", "[router]") {
  Router router = sample();
  CHECK(found(router.match("GET", "/health")).route->pattern == "/health");
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/health/")));
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/healthz")));
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/")));
}

TEST_CASE(":params capture one decoded segment", "[router]") {
  Router router = sample();
  auto result = router.match("GET", "/jobs/abc%20d");
  auto& match = found(result);
  REQUIRE(match.params.size() == 1);
  CHECK(match.params[0] == std::pair<std::string, std::string>{"id", "abc d"});
  CHECK(found(router.match("POST", "/jobs/7/cancel")).params[0].second == "7");
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/jobs/")));
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/jobs/1/2")));
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/jobs/%zz")));
}

TEST_CASE("*params capture the rest of the path", "[router]") {
  Router router = sample();
  auto result = router.match("GET", "/assets/users/u1/a%2Fb.png");
  auto& match = found(result);
  CHECK(match.params[0] == std::pair<std::string, std::string>{"key", "users/u1/a/b.png"});
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/assets/")));
  CHECK(std::holds_alternative<Router::NotFound>(router.match("GET", "/assets")));
}

TEST_CASE("the first route whose method and path fit wins", "[router]") {
  Router router = sample();
  CHECK(found(router.match("POST", "/assets/sign")).route->handler == &b);
  CHECK(found(router.match("PUT", "/assets/sign")).route->pattern == "/assets/*key");
}

TEST_CASE("HEAD falls back to GET", "[router]") {
  Router router = sample();
  CHECK(found(router.match("HEAD", "/health")).route->method == "GET");
}

TEST_CASE("a known path with another method gives 405 with the allowed methods", "[router]") {
  Router router = sample();
  auto match = router.match("DELETE", "/health");
  REQUIRE(std::holds_alternative<Router::MethodNotAllowed>(match));
  CHECK(std::get<Router::MethodNotAllowed>(match).allow == "GET, HEAD, OPTIONS");
  CHECK(router.allowed_methods("/assets/sign") == "GET, HEAD, OPTIONS, POST, PUT");
  CHECK(router.allowed_methods("/nowhere").empty());
}
