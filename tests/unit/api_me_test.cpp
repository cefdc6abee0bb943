// GET /me and the authentication behind it: local HS256/ES256/RS256 verification, the
// isolate's JWKS and verified-token caches, the remote fallback, the 501 noop. A verified
// user's balance comes from one user_credits statement (the scripted database answers it),
// so "no I/O" below means no request to Supabase Auth.
#include <catch2/catch.hpp>

#include "auth/jwks_cache.hpp"
#include "support/driver.hpp"
#include "support/jws_signer.hpp"

using namespace ag;
using auth::kJwksRefetchGapMs;
using auth::kJwksTtlMs;
using namespace ag::testing;

namespace {

constexpr std::int64_t kNowS = 1'700'000'000;  // the driver's clock
const std::string kBase = "http://127.0.0.1:9";
const std::string kJwksUrl = kBase + "/auth/v1/.well-known/jwks.json";
const std::string kSecret = "super-secret-jwt-token-with-at-least-32-characters-long";

Json claims(std::string sub = "11111111-1111-4111-8111-111111111111") {
  return {{"iss", kBase + "/auth/v1"}, {"sub", sub},   {"aud", "authenticated"},
          {"exp", kNowS + 3600},       {"iat", kNowS}, {"email", "a@b.c"},
          {"role", "authenticated"}};
}

std::pair<std::string, std::string> bearer(const std::string& token) { return {"authorization", "Bearer " + token}; }

Reply http_reply(int status, std::string body) {
  return Reply{{{"status", status}, {"headers", Json::array()}, {"has_body", true}}, std::move(body)};
}

std::string jwks_text(const std::vector<Json>& keys) {
  Json list = Json::array();
  for (const Json& key : keys) list.push_back(key);
  return dump(Json{{"keys", list}});
}

constexpr std::int64_t kBalance = 10;

/// The database: answers GET /me's one statement (user_credits beside the subscription
/// lookup) with a balance of 10 (as text, like every bigint the shim hands back) and no
/// subscription (the left join's columns all null).
Reply balance(const Json& effect) {
  REQUIRE(effect["op"] == "sql");
  const std::string query = effect["query"].get<std::string>();
  CHECK(query.rfind("select public.user_credits($1::uuid, $2::integer) as balance, s.* ", 0) == 0);
  CHECK(query.find("from public.user_subscriptions where user_id = $1::uuid") != std::string::npos);
  CHECK(effect["params"][1] == 10);  // WELCOME_CREDITS' default
  Json row = {{"balance", std::to_string(kBalance)}, {"subscription_id", nullptr}, {"status", nullptr}};
  return Reply{{{"rows", Json::array({row})}, {"count", 1}}};
}

/// `other` for everything but SQL, which `balance` answers.
testing::Responder with_database(testing::Responder other = testing::no_effects_expected) {
  return [other](const Json& effect) { return effect["op"] == "sql" ? balance(effect) : other(effect); };
}

/// Answers JWKS fetches with `*document` (read at call time), counting them in `*fetches`;
/// SQL goes to `balance`.
testing::Responder jwks_server(const std::string* document, int* fetches) {
  return [document, fetches](const Json& effect) {
    if (effect["op"] == "sql") return balance(effect);
    REQUIRE(effect["op"] == "fetch");
    REQUIRE(effect["url"] == kJwksUrl);
    ++*fetches;
    return http_reply(200, *document);
  };
}

const Json kExpectedUser = {
    {"id", "11111111-1111-4111-8111-111111111111"}, {"email", "a@b.c"}, {"role", "authenticated"}};

Json expected_me(const Json& user) {
  return {{"ok", true}, {"user", user}, {"credits", {{"balance", kBalance}}}, {"subscription", nullptr}};
}

}  // namespace

TEST_CASE("GET /me is a 501 noop without Supabase", "[me]") {
  Driver driver;
  auto out = driver.get("/me", {bearer("x.y.z")});
  CHECK(out.status() == 501);
  CHECK(out.json() == Json{{"ok", true}, {"provider", "noop"}, {"message", "supabase_not_configured"}});
}

TEST_CASE("GET /me verifies HS256 with the legacy secret, without I/O", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase + "/"}, {"SUPABASE_JWT_SECRET", kSecret}});
  auto out = driver.get("/me", {bearer(test::hs256_token(claims(), kSecret))}, with_database());
  CHECK(out.status() == 200);
  CHECK(out.json() == expected_me(kExpectedUser));
  REQUIRE(out.effects.size() == 1);  // the balance and the subscription, in one statement
  CHECK(out.effects[0]["params"][0] == "11111111-1111-4111-8111-111111111111");

  auto refused = driver.get("/me", {bearer(test::hs256_token(claims(), "another-secret"))});
  CHECK(refused.status() == 401);
  // Why, for the operator, on the request's one log line; the client only learns "refused".
  REQUIRE(refused.logs.size() == 1);
  CHECK(refused.logs[0]["msg"] == "request");
  CHECK(refused.logs[0]["token_rejected"] == "bad_signature");
  CHECK(refused.body().find("bad_signature") == std::string::npos);
  Json foreign = claims();
  foreign["iss"] = "https://other.supabase.co/auth/v1";
  CHECK(driver.get("/me", {bearer(test::hs256_token(foreign, kSecret))}).status() == 401);
}

TEST_CASE("GET /me: the secret alone verifies HS256 without an issuer to compare", "[me][auth]") {
  Driver driver({{"SUPABASE_JWT_SECRET", kSecret}});
  Json no_iss = claims();
  no_iss.erase("iss");
  CHECK(driver.get("/me", {bearer(test::hs256_token(no_iss, kSecret))}, with_database()).status() == 200);
  // ES256 needs the project's keys, and there is no project URL to fetch them from.
  CHECK(driver.get("/me", {bearer(test::es256_token(claims()))}).status() == 401);
}

TEST_CASE("GET /me verifies ES256 and RS256 with the project's JWKS, fetched once", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}});
  std::string document = jwks_text({test::ec_jwk("ec-1"), test::rsa_jwk("rsa-1")});
  int fetches = 0;
  auto server = jwks_server(&document, &fetches);

  std::string token = test::es256_token(claims());
  auto es = driver.get("/me", {bearer(token)}, server);
  CHECK(es.status() == 200);
  CHECK(es.json()["user"] == kExpectedUser);
  CHECK(fetches == 1);
  CHECK(es.effects[0]["method"] == "GET");
  // The signature goes to the platform's WebCrypto: the key's public members, the signed
  // text and the signature exactly as the token carries them.
  REQUIRE(es.effects.size() >= 2);
  const Json& verify = es.effects[1];
  CHECK(verify["op"] == "crypto.verify");
  CHECK(verify["alg"] == "ES256");
  Json jwk = test::ec_jwk("ec-1");
  CHECK(verify["key"] == Json{{"kty", "EC"}, {"crv", "P-256"}, {"x", jwk["x"]}, {"y", jwk["y"]}});
  CHECK(verify["data"] == token.substr(0, token.rfind('.')));
  CHECK(verify["signature"] == token.substr(token.rfind('.') + 1));

  auto rs = driver.get("/me", {bearer(test::rs256_token(claims("22222222-2222-4222-8222-222222222222")))},
                       with_database());  // no fetch
  CHECK(rs.status() == 200);
  CHECK(rs.json()["user"]["id"] == "22222222-2222-4222-8222-222222222222");

  // Another token's signature: the platform says no, and so does the API.
  std::string other = test::es256_token(claims("33333333-3333-4333-8333-333333333333"));
  std::string forged = other.substr(0, other.rfind('.')) + token.substr(token.rfind('.'));
  auto refused = driver.get("/me", {bearer(forged)});
  CHECK(refused.status() == 401);
  REQUIRE(refused.effects.size() == 1);
  CHECK(refused.effects[0]["op"] == "crypto.verify");
}

TEST_CASE("GET /me caches verified tokens until they expire", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}});
  std::string document = jwks_text({test::ec_jwk("ec-1")});
  int fetches = 0;
  std::string token = test::es256_token(claims());  // valid for an hour
  REQUIRE(driver.get("/me", {bearer(token)}, jwks_server(&document, &fetches)).status() == 200);

  // The key leaves the JWKS; the cached verification still stands until exp...
  document = jwks_text({});
  driver.advance_ms(kJwksTtlMs + 1);
  CHECK(driver.get("/me", {bearer(token)}, with_database()).status() == 200);
  // ...and not after it.
  driver.advance_ms(3600'000);
  CHECK(driver.get("/me", {bearer(token)}, jwks_server(&document, &fetches)).status() == 401);
}

TEST_CASE("GET /me refetches the JWKS on an unknown kid, at most every 30 s", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}});
  std::string document = jwks_text({test::ec_jwk("old")});
  int fetches = 0;
  auto server = jwks_server(&document, &fetches);
  REQUIRE(driver.get("/me", {bearer(test::es256_token(claims(), "old"))}, server).status() == 200);

  document = jwks_text({test::ec_jwk("old"), test::ec_jwk("new")});  // the project rotates
  CHECK(driver.get("/me", {bearer(test::es256_token(claims("44444444-4444-4444-8444-444444444444"), "new"))}, server)
            .status() == 200);
  CHECK(fetches == 2);

  // Forged kids do not turn every request into a fetch.
  CHECK(
      driver.get("/me", {bearer(test::es256_token(claims("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), "forged-1"))}, server)
          .status() == 401);
  CHECK(
      driver.get("/me", {bearer(test::es256_token(claims("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"), "forged-2"))}, server)
          .status() == 401);
  CHECK(fetches == 2);
  driver.advance_ms(kJwksRefetchGapMs);
  CHECK(
      driver.get("/me", {bearer(test::es256_token(claims("cccccccc-cccc-4ccc-8ccc-cccccccccccc"), "forged-3"))}, server)
          .status() == 401);
  CHECK(fetches == 3);
}

TEST_CASE("GET /me refreshes the JWKS after its TTL and survives a failed refresh", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}});
  std::string document = jwks_text({test::ec_jwk("ec-1")});
  int fetches = 0;
  REQUIRE(driver
              .get("/me", {bearer(test::es256_token(claims("11111111-1111-4111-8111-111111111111")))},
                   jwks_server(&document, &fetches))
              .status() == 200);

  driver.advance_ms(kJwksTtlMs);
  auto outage = [&](const Json& effect) {
    if (effect["op"] == "sql") return balance(effect);
    ++fetches;
    return http_reply(503, "down");
  };
  // Stale keys are better than none: the request succeeds on them.
  CHECK(
      driver.get("/me", {bearer(test::es256_token(claims("22222222-2222-4222-8222-222222222222")))}, outage).status() ==
      200);
  CHECK(fetches == 2);
  // The next attempt waits for the refetch gap rather than hitting the outage again.
  CHECK(driver.get("/me", {bearer(test::es256_token(claims("33333333-3333-4333-8333-333333333333")))}, with_database())
            .status() == 200);
  driver.advance_ms(kJwksRefetchGapMs);
  CHECK(driver
            .get("/me", {bearer(test::es256_token(claims("55555555-5555-4555-8555-555555555555")))},
                 jwks_server(&document, &fetches))
            .status() == 200);
  CHECK(fetches == 3);
}

TEST_CASE("GET /me is a 502 when the JWKS cannot be fetched and none is cached", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}});
  auto token = test::es256_token(claims());
  CHECK(driver.get("/me", {bearer(token)}, [](const Json&) { return http_reply(500, "oops"); }).status() == 502);
  CHECK(driver.get("/me", {bearer(token)}, [](const Json&) { return http_reply(200, "not json"); }).status() == 502);
  auto down = driver.get("/me", {bearer(token)}, [](const Json&) { return Reply{{{"error", {{"code", "timeout"}}}}}; });
  CHECK(down.status() == 502);
  CHECK(down.json()["error"] == "provider_error");
}

TEST_CASE("GET /me rejects tokens before any I/O when they cannot be valid", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase}, {"SUPABASE_JWT_SECRET", kSecret}});
  std::string none_token = test::signing_input({{"alg", "none"}}, claims()) + ".";
  for (const std::string& token : {std::string("not-a-jwt"), none_token, std::string(9000, 'a') + ".b.c",
                                   test::hs256_token(claims(), kSecret, {{"alg", "HS512"}})}) {
    auto out = driver.get("/me", {bearer(token)});
    CHECK(out.status() == 401);
    CHECK(out.header("www-authenticate") == R"(Bearer error="invalid_token")");
    CHECK(out.body().find(token.substr(0, 20)) == std::string::npos);
  }
  CHECK(driver.get("/me").status() == 401);
  CHECK(driver.get("/me", {{"authorization", "Basic abc"}}).status() == 401);
}

TEST_CASE("GET /me falls back to Supabase's /auth/v1/user for HS256 without the secret", "[me][auth]") {
  Driver driver({{"SUPABASE_URL", kBase + "/"}, {"SUPABASE_SERVICE_ROLE", "service-key"}});
  std::string token = test::hs256_token(claims(), kSecret);
  auto supabase = [](int status, std::string body) {
    return [status, body](const Json& effect) {
      if (effect["op"] == "sql") return balance(effect);
      REQUIRE(effect["op"] == "fetch");
      return http_reply(status, body);
    };
  };
  auto out = driver.get(
      "/me", {bearer(token)},
      supabase(200,
               R"({"id":"11111111-1111-4111-8111-111111111111","email":"a@b.c","role":"authenticated","aud":"x"})"));
  CHECK(out.status() == 200);
  CHECK(out.json() ==
        expected_me({{"id", "11111111-1111-4111-8111-111111111111"}, {"email", "a@b.c"}, {"role", "authenticated"}}));
  REQUIRE(out.effects.size() == 2);  // Supabase, then the balance and the subscription
  CHECK(out.effects[1]["op"] == "sql");
  CHECK(out.effects[0]["url"] == kBase + "/auth/v1/user");
  CHECK(out.effects[0]["headers"] == Json::array({{"authorization", "Bearer " + token}, {"apikey", "service-key"}}));

  CHECK(driver.get("/me", {bearer(token)}, supabase(403, R"({"error_code":"bad_jwt"})")).status() == 401);
  CHECK(driver.get("/me", {bearer(token)}, supabase(200, R"({"email":"no id"})")).status() == 502);
  CHECK(driver.get("/me", {bearer(token)}, supabase(500, "oops")).status() == 502);
}
