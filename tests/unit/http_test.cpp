#include <catch2/catch.hpp>

#include "core/config.hpp"
#include "core/http.hpp"
#include "crypto/constant_time.hpp"

using namespace ag;

TEST_CASE("URLs split into path and query", "[http]") {
  CHECK(split_url("https://a.b/x/y?q=1#frag") == std::make_pair(std::string("/x/y"), std::string("q=1")));
  CHECK(split_url("http://a.b") == std::make_pair(std::string("/"), std::string()));
  CHECK(split_url("http://a.b?x") == std::make_pair(std::string("/"), std::string("x")));
  CHECK_FALSE(split_url("/relative"));
  CHECK_FALSE(split_url("://x"));
}

TEST_CASE("percent-decoding", "[http]") {
  CHECK(percent_decode("a%20b+c", false) == "a b+c");
  CHECK(percent_decode("a%20b+c", true) == "a b c");
  CHECK(percent_decode("%e2%82%AC", false) == "\xe2\x82\xac");
  CHECK_FALSE(percent_decode("%", false));
  CHECK_FALSE(percent_decode("%4", false));
  CHECK_FALSE(percent_decode("%zz", false));
}

TEST_CASE("query parameters and content length", "[http]") {
  Request request;
  request.query = "deep=1&a=x%20y&a=second&flag&plus=a+b";
  CHECK(request.query_param("deep") == "1");
  CHECK(request.query_param("a") == "x y");
  CHECK(request.query_param("flag") == "");
  CHECK(request.query_param("plus") == "a b");
  CHECK_FALSE(request.query_param("missing"));

  request.headers = {{"content-length", "123"}};
  CHECK(request.content_length() == 123u);
  for (const char* bad : {"", "-1", "12a", "+5", "99999999999999999999"}) {
    request.headers = {{"content-length", bad}};
    CHECK_FALSE(request.content_length());
  }
}

TEST_CASE("config treats empty values as unset and clamps numbers", "[config]") {
  Config config = Config::from_json({{"A", ""}, {"B", "x"}, {"N", "70"}, {"BAD", "7x"}, {"L", " a, b ,,c "}, {"O", 5}});
  CHECK_FALSE(config.get("A"));
  CHECK_FALSE(config.get("O"));
  CHECK(config.get("B") == "x");
  CHECK(config.get_uint("N", 1, 0, 50) == 50);
  CHECK(config.get_uint("N", 1, 0, 100) == 70);
  CHECK(config.get_uint("BAD", 9, 0, 100) == 9);
  CHECK(config.get_uint("MISSING", 9, 0, 100) == 9);
  CHECK(config.get_list("L") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a base URL setting loses its trailing slashes", "[config]") {
  Config config = Config::from_json({{"U", "https://a.example/v1//"}, {"S", "/"}});
  CHECK(config.get_base_url("U") == "https://a.example/v1");
  CHECK(config.get_base_url("S", "https://b.example") == "");
  CHECK(config.get_base_url("MISSING", "https://b.example/") == "https://b.example");
  CHECK(config.get_base_url("MISSING") == "");
}

TEST_CASE("constant-time equality", "[crypto]") {
  CHECK(crypto::constant_time_equal("secret", "secret"));
  CHECK_FALSE(crypto::constant_time_equal("secret", "secreT"));
  CHECK_FALSE(crypto::constant_time_equal("secret", "secret2"));
  CHECK_FALSE(crypto::constant_time_equal("", "x"));
}
