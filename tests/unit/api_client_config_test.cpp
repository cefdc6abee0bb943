#include <catch2/catch.hpp>

#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

TEST_CASE("GET /client-config: the API base and the Supabase project, without I/O", "[client-config]") {
  Driver driver({{"SUPABASE_URL", "https://ref.supabase.co/"},
                 {"SUPABASE_ANON_KEY", "anon-public"},
                 {"SUPABASE_SERVICE_ROLE", "service-secret"},
                 {"SUPABASE_JWT_SECRET", "jwt-secret"},
                 {"PUBLIC_BASE_URL", "https://api.example.com/"}});
  auto out = driver.get("/client-config");
  CHECK(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true},
                           {"api_base", "https://api.example.com"},
                           {"supabase_url", "https://ref.supabase.co"},
                           {"supabase_anon_key", "anon-public"}});
  CHECK(out.effects.empty());
  CHECK(out.body().find("secret") == std::string::npos);
  CHECK(out.header("cache-control") == "no-cache");
}

TEST_CASE("GET /client-config: unset values are null; the base follows the request", "[client-config]") {
  Driver driver;
  auto out = driver.get("/client-config");
  CHECK(out.status() == 200);
  CHECK(
      out.json() ==
      Json{{"ok", true}, {"api_base", "https://api.test"}, {"supabase_url", nullptr}, {"supabase_anon_key", nullptr}});
}
