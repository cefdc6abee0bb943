// One meaning of 401 and 403 on every endpoint (auth/require.hpp): no credentials or refused
// ones are 401; a valid caller the endpoint is not for is 403.
#include <catch2/catch.hpp>

#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kEnv = {
    {"APP_ADMIN_TOKEN", "adm1n"}, {"SUPABASE_JWT_SECRET", test::kJwtSecret}, {"STRIPE_SECRET_KEY", "sk_test_x"}};
const std::pair<std::string, std::string> kUser = test::user_auth("11111111-1111-4111-8111-111111111111");

testing::Outcome call(Driver& driver, const std::string& method, const std::string& path,
                      std::pair<std::string, std::string> auth) {
  testing::RequestSpec spec{method, path, {}, method == "POST"};
  if (!auth.first.empty()) spec.headers.push_back(std::move(auth));
  if (method == "POST") {
    spec.headers.emplace_back("content-type", "application/json");
    spec.body = "{}";
  }
  return driver.run(spec);
}
}  // namespace

TEST_CASE("admin endpoints: 401 without or with refused credentials, 403 for a user", "[auth][require]") {
  Driver driver(kEnv);
  for (auto [method, path] : {std::pair{"POST", "/admin/credits"}, std::pair{"GET", "/health?deep=1"}}) {
    INFO(method << " " << path);
    CHECK(call(driver, method, path, {}).status() == 401);
    CHECK(call(driver, method, path, {"authorization", "Bearer not-a-token"}).status() == 401);
    auto user = call(driver, method, path, kUser);
    CHECK(user.status() == 403);
    CHECK(user.json()["error"] == "forbidden");
  }
}

TEST_CASE("a user's own endpoints: 401 without or with refused credentials, 403 for the admin", "[auth][require]") {
  Driver driver(kEnv);
  for (auto [method, path] : {std::pair{"GET", "/me"}, std::pair{"GET", "/billing/subscription"},
                              std::pair{"POST", "/billing/checkout"}, std::pair{"POST", "/billing/portal"}}) {
    INFO(method << " " << path);
    CHECK(call(driver, method, path, {}).status() == 401);
    CHECK(call(driver, method, path, {"authorization", "Bearer not-a-token"}).status() == 401);
    auto admin = call(driver, method, path, test::kAdminAuth);
    CHECK(admin.status() == 403);
    CHECK(admin.json()["error"] == "forbidden");
  }
}

TEST_CASE("endpoints for any caller: 401 without or with refused credentials", "[auth][require]") {
  Driver driver(kEnv);
  for (auto [method, path] :
       {std::pair{"GET", "/credits"}, std::pair{"GET", "/credits/ledger"}, std::pair{"GET", "/assets"},
        std::pair{"POST", "/assets/sign"}, std::pair{"POST", "/jobs"}, std::pair{"GET", "/jobs"},
        std::pair{"GET", "/jobs/11111111-1111-4111-8111-111111111111"},
        std::pair{"POST", "/jobs/11111111-1111-4111-8111-111111111111/cancel"}, std::pair{"GET", "/webhooks/secret"},
        std::pair{"DELETE", "/assets/users/x/a.png"}}) {
    INFO(method << " " << path);
    CHECK(call(driver, method, path, {}).status() == 401);
    CHECK(call(driver, method, path, {"authorization", "Bearer not-a-token"}).status() == 401);
  }
}
