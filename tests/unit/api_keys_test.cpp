// API keys as credentials (auth/api_key.hpp) and their endpoints: a key acts as its user, is
// looked up once per isolate and minute (so a revocation elsewhere holds within a minute, and
// at once on the isolate that revoked it), is never sent to the database or the logs as it
// is, and cannot manage keys or billing.
#include <catch2/catch.hpp>

#include "crypto/sha256.hpp"
#include "support/driver.hpp"
#include "support/jws_signer.hpp"

using namespace ag;
using namespace ag::testing;

namespace {

constexpr std::int64_t kNowS = 1'700'000'000;  // the driver's clock
const std::string kBase = "http://127.0.0.1:9";
const std::string kJwtSecret = "super-secret-jwt-token-with-at-least-32-characters-long";
const std::string kUser = "11111111-1111-4111-8111-111111111111";
const std::string kKeyId = "22222222-2222-4222-8222-222222222222";
const std::string kSecret = "ag_live_0123456789abcdef0123456789abcdef01234567";

Driver configured() { return Driver({{"SUPABASE_URL", kBase}, {"SUPABASE_JWT_SECRET", kJwtSecret}}); }

std::pair<std::string, std::string> bearer(const std::string& token) { return {"authorization", "Bearer " + token}; }

std::string session_token() {
  Json claims = {{"iss", kBase + "/auth/v1"}, {"sub", kUser}, {"aud", "authenticated"},
                 {"exp", kNowS + 3600},       {"iat", kNowS}, {"role", "authenticated"}};
  return test::hs256_token(claims, kJwtSecret);
}

/// The database of one key of kUser's, active while `*active`: answers its lookups (counted in
/// `*lookups`), revocations and GET /me's balance.
Responder keys_database(const bool* active, int* lookups) {
  return [active, lookups](const Json& effect) -> Reply {
    if (is_sql(effect, "select id, user_id from public.api_key_caller(")) {
      ++*lookups;
      CHECK(effect["params"] == Json::array({crypto::sha256_hex(kSecret)}));
      return rows(*active ? Json::array({{{"id", kKeyId}, {"user_id", kUser}}}) : Json::array());
    }
    if (is_sql(effect, "select public.revoke_api_key(")) {
      CHECK(effect["params"] == Json::array({kUser, kKeyId}));
      return rows(Json::array({{{"revoked", true}}}));
    }
    REQUIRE(is_sql(effect, "select public.user_credits("));
    return rows(Json::array({{{"balance", "10"}, {"subscription_id", nullptr}, {"status", nullptr}}}));
  };
}

/// Whether `text` holds the key's secret anywhere.
bool leaks(const std::string& text) { return text.find(kSecret.substr(8)) != std::string::npos; }

}  // namespace

TEST_CASE("an API key acts as its user, looked up once a minute per isolate; revoked elsewhere, refused within it",
          "[keys][auth]") {
  Driver driver = configured();
  bool active = true;
  int lookups = 0;
  auto database = keys_database(&active, &lookups);

  auto first = driver.get("/me", {bearer(kSecret)}, database);
  REQUIRE(first.status() == 200);
  CHECK(first.json()["user"] == Json{{"id", kUser}, {"email", ""}, {"role", "authenticated"}});
  CHECK(lookups == 1);
  for (const Json& line : first.logs) CHECK_FALSE(leaks(dump(line)));
  for (const Json& effect : first.effects) CHECK_FALSE(leaks(dump(effect)));

  CHECK(driver.get("/me", {bearer(kSecret)}, database).status() == 200);
  CHECK(lookups == 1);  // cached: no round trip of its own

  active = false;  // revoked on another isolate
  driver.advance_ms(59'000);
  CHECK(driver.get("/me", {bearer(kSecret)}, database).status() == 200);
  CHECK(lookups == 1);
  driver.advance_ms(2'000);
  auto refused = driver.get("/me", {bearer(kSecret)}, database);
  CHECK(refused.status() == 401);
  CHECK(lookups == 2);
  CHECK(refused.logs.back()["token_rejected"] == "api_key_unknown_or_revoked");
}

TEST_CASE("a key revoked on this isolate is refused at once", "[keys][auth]") {
  Driver driver = configured();
  bool active = true;
  int lookups = 0;
  auto database = keys_database(&active, &lookups);
  REQUIRE(driver.get("/me", {bearer(kSecret)}, database).status() == 200);

  auto revoked = driver.run({"DELETE", "/keys/" + kKeyId, {bearer(session_token())}}, database);
  REQUIRE(revoked.status() == 200);
  CHECK(revoked.json() == Json{{"ok", true}, {"id", kKeyId}, {"revoked", true}});
  active = false;
  CHECK(driver.get("/me", {bearer(kSecret)}, database).status() == 401);
  CHECK(lookups == 2);
}

TEST_CASE("a key cannot manage keys or billing; a malformed one is refused without I/O", "[keys][auth]") {
  Driver driver = configured();
  bool active = true;
  int lookups = 0;
  auto database = keys_database(&active, &lookups);
  REQUIRE(driver.get("/me", {bearer(kSecret)}, database).status() == 200);

  RequestSpec create{"POST", "/keys", {bearer(kSecret), {"content-type", "application/json"}}};
  create.body = R"({"name":"another"})";
  CHECK(driver.run(create).status() == 403);
  CHECK(driver.get("/keys", {bearer(kSecret)}).status() == 403);
  CHECK(driver.run({"DELETE", "/keys/" + kKeyId, {bearer(kSecret)}}).status() == 403);
  CHECK(driver.get("/billing/subscription", {bearer(kSecret)}).status() == 403);
  RequestSpec checkout{"POST", "/billing/checkout", {bearer(kSecret), {"content-type", "application/json"}}};
  checkout.body = R"({"price_id":"price_1"})";
  CHECK(driver.run(checkout).status() == 403);

  for (const char* token : {"ag_live_short", "ag_live_0123456789ABCDEF0123456789abcdef01234567", "ag_test_x"}) {
    auto out = driver.get("/me", {bearer(token)});
    CHECK(out.status() == 401);
    CHECK(out.logs.back()["token_rejected"] == "api_key_malformed");
  }
}

TEST_CASE("POST /keys shows the secret once and stores its hash; names are checked", "[keys]") {
  Driver driver = configured();
  Json stored;
  auto database = [&stored](const Json& effect) -> Reply {
    REQUIRE(is_sql(effect, "select outcome, id, name, prefix, created_at from public.create_api_key("));
    stored = effect["params"];
    return rows(Json::array({{{"outcome", "created"},
                              {"id", kKeyId},
                              {"name", stored[1]},
                              {"prefix", stored[2]},
                              {"created_at", "2023-11-14T22:13:20.000Z"}}}));
  };
  RequestSpec create{"POST", "/keys", {bearer(session_token()), {"content-type", "application/json"}}};
  create.body = R"({"name":"CI server"})";
  auto out = driver.run(create, database);
  REQUIRE(out.status() == 201);
  const std::string secret = out.json()["secret"].get<std::string>();
  CHECK(secret.size() == 48);
  CHECK(secret.rfind("ag_live_", 0) == 0);
  CHECK(out.json()["prefix"] == secret.substr(0, 16));
  CHECK(out.json()["name"] == "CI server");
  CHECK(out.header("cache-control") == "no-store");
  CHECK(stored == Json::array({kUser, "CI server", secret.substr(0, 16), crypto::sha256_hex(secret), 20}));
  for (const Json& line : out.logs) CHECK(dump(line).find(secret.substr(16)) == std::string::npos);

  const std::vector<std::string> bad = {R"({})", R"({"name":""})", R"({"name":7})",
                                        "{\"name\":\"" + std::string(101, 'x') + "\"}"};
  for (const std::string& body : bad) {
    create.body = body;
    CHECK(driver.run(create).status() == 400);
  }
  auto too_many = [](const Json&) {
    return rows(Json::array({{{"outcome", "too_many_keys"},
                              {"id", nullptr},
                              {"name", nullptr},
                              {"prefix", nullptr},
                              {"created_at", nullptr}}}));
  };
  create.body = R"({"name":"one more"})";
  CHECK(driver.run(create, too_many).status() == 409);
}
