// GET /models, GET /credits, GET /credits/ledger and the balance in GET /me, with a scripted
// database: who may read whose credits, the statements sent, the bigint columns the shim
// hands back as text, and the ledger's cursor. Users carry HS256 tokens (no JWKS needed).
#include <catch2/catch.hpp>

#include "http/ledger_cursor.hpp"
#include "crypto/encoding.hpp"
#include "inputs/schema.hpp"
#include "support/driver.hpp"
#include "support/jws_signer.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
constexpr std::int64_t kNowS = test::kDriverNowS;
const std::string& kSecret = test::kJwtSecret;
const Driver::Env kEnv = {{"APP_ADMIN_TOKEN", "adm1n"}, {"SUPABASE_JWT_SECRET", kSecret}};
const auto& kAdmin = test::kAdminAuth;
const std::string kAlice = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const std::string kBob = "0b5e3a52-77c1-4c0a-9d59-5f1d3c0a2b11";

const std::string kUserCredits = "select public.user_credits($1::uuid, $2::integer) as balance";
const std::string kCreditsOverview =
    "select balance, id, delta, kind, reason, job_id, created_at "
    "from public.credits_overview($1::uuid, $2::integer, $3::integer)";
const std::string kLedgerPage =
    "select id, delta, kind, reason, job_id, created_at from public.credit_ledger "
    "where user_id = $1::uuid and ($2::bigint is null or id < $2::bigint) "
    "order by id desc limit $3::integer";

/// A credit_ledger row as the shim hands it over: bigint columns as decimal text.
Json ledger_row(std::int64_t id, std::int64_t delta, std::string kind) {
  return {{"id", std::to_string(id)}, {"delta", std::to_string(delta)},
          {"kind", std::move(kind)},  {"reason", nullptr},
          {"job_id", nullptr},        {"created_at", "2026-11-22T03:58:38.123Z"}};
}

/// Newest first: ids from `newest` down to `oldest`, each a grant of 1.
Json ledger_rows(std::int64_t newest, std::int64_t oldest) {
  Json list = Json::array();
  for (std::int64_t id = newest; id >= oldest; --id) list.push_back(ledger_row(id, 1, "grant"));
  return list;
}

/// credits_overview's rows: the balance beside each entry, or beside null entry columns when
/// there is none.
Json overview_rows(const std::string& balance, const Json& entries) {
  Json list = Json::array();
  for (Json entry : entries) {
    entry["balance"] = balance;
    list.push_back(std::move(entry));
  }
  if (list.empty()) {
    list.push_back({{"balance", balance},
                    {"id", nullptr},
                    {"delta", nullptr},
                    {"kind", nullptr},
                    {"reason", nullptr},
                    {"job_id", nullptr},
                    {"created_at", nullptr}});
  }
  return list;
}

/// The database: credits_overview answers `balance` and `entries`, the ledger query `entries`.
testing::Responder database(std::string balance, Json entries = Json::array()) {
  return [balance, entries](const Json& effect) {
    REQUIRE(effect["op"] == "sql");
    if (effect["query"] == kCreditsOverview) return rows(overview_rows(balance, entries));
    // GET /me's statement: public.user_credits beside the subscription lookup, which finds none.
    if (effect["query"].get<std::string>().find("from public.user_subscriptions") != std::string::npos)
      return rows(Json::array({{{"balance", balance}, {"subscription_id", nullptr}}}));
    REQUIRE(effect["query"] == kLedgerPage);
    return rows(entries);
  };
}

Reply unavailable(const Json&) {
  return Reply{{{"error", {{"code", "unavailable"}, {"message", "connect ECONNREFUSED 127.0.0.1:5432"}}}}};
}
}  // namespace

// --- GET /models -------------------------------------------------------------------------

TEST_CASE("GET /models lists the enabled models, default first, for anyone", "[models]") {
  Driver driver;
  auto out = driver.get("/models", {}, [](const Json& effect) {
    REQUIRE(is_catalog(effect));
    CHECK(effect["params"] == Json::array());
    const Json steps = {
        {"type", "object"},
        {"additionalProperties", false},
        {"properties", {{"steps", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}, {"default", 20}}}}}};
    return catalog(
        {model_row("runpod-video", "runpod", "video", true, {{"base", 1}}),
         model_row("runpod-image", "runpod", "image", false, {{"base", 1}, {"per", {{"steps", 0.1}}}}, steps),
         // a hand-written row that does not check takes no jobs and is not shown
         model_row("broken", "runpod", "image", false, {{"per", {{"steps", 1}}}})});
  });
  CHECK(out.status() == 200);
  const Json models = out.json()["models"];
  REQUIRE(models.size() == 2);
  CHECK(models[0] == Json{{"id", "runpod-video"},
                          {"provider", "runpod"},
                          {"content_type", "video"},
                          {"cost_credits", 1},
                          {"default", true},
                          {"input_schema", inputs::default_schema().document},
                          {"pricing", {{"base", 1}}}});
  // what a job with every input at its default costs: 1 + 20 × 0.1
  CHECK(models[1]["cost_credits"] == 3);
  CHECK(models[1]["input_schema"]["properties"]["steps"]["default"] == 20);
}

TEST_CASE("GET /models is 503 when the database is down", "[models]") {
  Driver driver;
  auto out = driver.get("/models", {}, unavailable);
  CHECK(out.status() == 503);
  CHECK(out.json()["error"] == "database_unavailable");
  CHECK(out.body().find("ECONNREFUSED") == std::string::npos);
}

// --- GET /credits ------------------------------------------------------------------------

TEST_CASE("GET /credits: the balance (welcome grant first) and the newest 20 entries, in one statement", "[credits]") {
  Driver driver(kEnv);
  Json entry = ledger_row(9'007'199'254'740'993, -1, "reserve");  // past 2^53: text keeps it exact
  entry["job_id"] = "3c7e1a2b-0000-4000-8000-000000000001";
  entry["reason"] = "job reservation";
  auto out = driver.get("/credits", {test::user_auth(kAlice)},
                        database("12", Json::array({entry, ledger_row(1, 10, "grant")})));
  REQUIRE(out.status() == 200);
  CHECK(out.steps == 2);  // one statement: one round trip to the database
  REQUIRE(out.effects.size() == 1);
  CHECK(out.effects[0]["query"] == kCreditsOverview);
  CHECK(out.effects[0]["params"] == Json::array({kAlice, 10, 20}));
  CHECK(out.json() == Json{{"ok", true},
                           {"balance", 12},
                           {"entries",
                            {{{"id", 9'007'199'254'740'993},
                              {"delta", -1},
                              {"kind", "reserve"},
                              {"reason", "job reservation"},
                              {"job_id", "3c7e1a2b-0000-4000-8000-000000000001"},
                              {"created_at", "2026-11-22T03:58:38.123Z"}},
                             {{"id", 1},
                              {"delta", 10},
                              {"kind", "grant"},
                              {"reason", nullptr},
                              {"job_id", nullptr},
                              {"created_at", "2026-11-22T03:58:38.123Z"}}}}});
}

TEST_CASE("GET /credits: WELCOME_CREDITS is configurable, clamped to 0..1000000", "[credits]") {
  auto welcome_sent = [](const std::string& value) {
    Driver driver({{"SUPABASE_JWT_SECRET", kSecret}, {"WELCOME_CREDITS", value}});
    auto out = driver.get("/credits", {test::user_auth(kAlice)}, database("0"));
    REQUIRE(out.status() == 200);
    return out.effects[0]["params"][1];
  };
  CHECK(welcome_sent("25") == 25);
  CHECK(welcome_sent("0") == 0);
  CHECK(welcome_sent("5000000") == 1'000'000);
  CHECK(welcome_sent("ten") == 10);
  CHECK(welcome_sent("-5") == 10);
}

TEST_CASE("GET /credits: a user sees only their own credits", "[credits][auth]") {
  Driver driver(kEnv);
  CHECK(driver.get("/credits").status() == 401);
  CHECK(driver.get("/credits", {{"authorization", "Bearer not.a.token"}}).status() == 401);
  auto other = driver.get("/credits?user_id=" + kBob, {test::user_auth(kAlice)});
  CHECK(other.status() == 403);
  CHECK(other.json()["error"] == "forbidden");
  CHECK(driver.get("/credits?user_id=not-a-uuid", {test::user_auth(kAlice)}).status() == 400);
  // Naming oneself is allowed, in any case.
  std::string upper = kAlice;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(driver.get("/credits?user_id=" + upper, {test::user_auth(kAlice)}, database("3")).status() == 200);
  CHECK(driver.get("/credits?user_id=", {test::user_auth(kAlice)}, database("3")).status() == 200);
}

TEST_CASE("GET /credits: the admin names a user, and only looks (no welcome grant)", "[credits][auth]") {
  Driver driver(kEnv);
  auto none = driver.get("/credits", {kAdmin});
  CHECK(none.status() == 400);
  CHECK(none.json()["error"] == "invalid_request");
  CHECK(driver.get("/credits?user_id=bob", {kAdmin}).status() == 400);

  std::string upper = kBob;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto out = driver.get("/credits?user_id=" + upper, {kAdmin}, database("7"));
  REQUIRE(out.status() == 200);
  CHECK(out.effects[0]["params"] == Json::array({kBob, 0, 20}));
  CHECK(out.json()["balance"] == 7);
  CHECK(out.json()["entries"] == Json::array());  // no entry: one row, its entry columns null
}

TEST_CASE("GET /credits: database errors", "[credits]") {
  Driver driver(kEnv);
  CHECK(driver.get("/credits", {test::user_auth(kAlice)}, unavailable).status() == 503);
  auto broken = driver.get("/credits", {test::user_auth(kAlice)}, [](const Json&) {
    return Reply{{{"error", {{"code", "42883"}, {"message", "function public.credits_overview does not exist"}}}}};
  });
  CHECK(broken.status() == 500);
  CHECK(broken.json()["error"] == "internal_error");
  CHECK(broken.body().find("credits_overview") == std::string::npos);
  // A malformed answer is our bug, not a balance of 0.
  auto empty = driver.get("/credits", {test::user_auth(kAlice)}, [](const Json&) { return rows(Json::array()); });
  CHECK(empty.status() == 500);
}

// --- GET /credits/ledger -----------------------------------------------------------------

TEST_CASE("ledger cursors are opaque, versioned and strict", "[credits][cursor]") {
  for (std::int64_t id : {std::int64_t{1}, std::int64_t{42}, std::int64_t{999'999'999'999'999'999}}) {
    auto cursor = http::encode_ledger_cursor(id);
    CHECK(cursor.find(std::to_string(id)) == std::string::npos);
    CHECK(http::decode_ledger_cursor(cursor) == id);
  }
  CHECK(http::encode_ledger_cursor(42) == crypto::base64url_encode("v1:42"));
  for (std::string text :
       {"v2:42", "v1:", "v1:0", "v1:042", "v1:-4", "v1:4x", "v1: 4", "42", "v1:1000000000000000000"}) {
    INFO(text);
    CHECK_FALSE(http::decode_ledger_cursor(crypto::base64url_encode(text)));
  }
  CHECK_FALSE(http::decode_ledger_cursor("not base64url!"));
  CHECK_FALSE(http::decode_ledger_cursor(crypto::base64url_encode("v1:42") + "="));
  CHECK_FALSE(http::decode_ledger_cursor(""));
}

TEST_CASE("GET /credits/ledger pages newest first with a cursor", "[credits][cursor]") {
  Driver driver(kEnv);
  // Page 1 of 7 entries, limit 3: the database is asked for 4, to know that more follow.
  auto first = driver.get("/credits/ledger?limit=3", {test::user_auth(kAlice)}, database("7", ledger_rows(7, 4)));
  REQUIRE(first.status() == 200);
  REQUIRE(first.effects.size() == 1);
  CHECK(first.effects[0]["query"] == kLedgerPage);
  CHECK(first.effects[0]["params"] == Json::array({kAlice, nullptr, 4}));
  Json page = first.json();
  REQUIRE(page["entries"].size() == 3);
  CHECK(page["entries"][0]["id"] == 7);
  CHECK(page["entries"][2]["id"] == 5);
  CHECK(page["entries"][2]["delta"] == 1);
  REQUIRE(page["cursor"].is_string());
  CHECK(http::decode_ledger_cursor(page["cursor"].get<std::string>()) == 5);

  // The cursor comes back as the id bound, sent as text.
  auto second = driver.get("/credits/ledger?limit=3&cursor=" + page["cursor"].get<std::string>(),
                           {test::user_auth(kAlice)}, database("7", ledger_rows(4, 1)));
  REQUIRE(second.status() == 200);
  CHECK(second.effects[0]["params"] == Json::array({kAlice, "5", 4}));
  CHECK(second.json()["entries"].size() == 3);
  CHECK(second.json()["cursor"].is_string());

  // The last page has no cursor.
  auto last = driver.get("/credits/ledger?limit=3&cursor=" + http::encode_ledger_cursor(2), {test::user_auth(kAlice)},
                         database("7", ledger_rows(1, 1)));
  REQUIRE(last.status() == 200);
  CHECK(last.effects[0]["params"][1] == "2");
  Json oldest = {{"id", 1},           {"delta", 1},        {"kind", "grant"},
                 {"reason", nullptr}, {"job_id", nullptr}, {"created_at", "2026-11-22T03:58:38.123Z"}};
  CHECK(last.json() == Json{{"ok", true}, {"entries", Json::array({oldest})}, {"cursor", nullptr}});

  // An exactly full last page: no cursor either.
  auto full = driver.get("/credits/ledger?limit=3", {test::user_auth(kAlice)}, database("7", ledger_rows(3, 1)));
  CHECK(full.json()["entries"].size() == 3);
  CHECK(full.json()["cursor"].is_null());
}

TEST_CASE("GET /credits/ledger: limit 1..100, default 50; a bad cursor is 400", "[credits][cursor]") {
  Driver driver(kEnv);
  auto defaults = driver.get("/credits/ledger", {test::user_auth(kAlice)}, database("0"));
  REQUIRE(defaults.status() == 200);
  CHECK(defaults.effects[0]["params"] == Json::array({kAlice, nullptr, 51}));
  CHECK(defaults.json() == Json{{"ok", true}, {"entries", Json::array()}, {"cursor", nullptr}});
  CHECK(driver.get("/credits/ledger?limit=100", {test::user_auth(kAlice)}, database("0")).effects[0]["params"][2] ==
        101);
  CHECK(driver.get("/credits/ledger?limit=1", {test::user_auth(kAlice)}, database("0")).status() == 200);
  for (std::string limit : {"0", "101", "ten", "-1", "1.5", ""}) {
    INFO(limit);
    CHECK(driver.get("/credits/ledger?limit=" + limit, {test::user_auth(kAlice)}).status() == 400);
  }
  for (std::string cursor :
       {std::string("garbage!"), crypto::base64url_encode("v2:5"), crypto::base64url_encode("v1:abc")}) {
    INFO(cursor);
    auto out = driver.get("/credits/ledger?cursor=" + cursor, {test::user_auth(kAlice)});
    CHECK(out.status() == 400);
    CHECK(out.json()["message"] == "invalid cursor");
  }
  // An empty cursor is the first page.
  CHECK(driver.get("/credits/ledger?cursor=", {test::user_auth(kAlice)}, database("0"))
            .effects[0]["params"][1]
            .is_null());
}

TEST_CASE("GET /credits/ledger: own ledger for users, any (named) for the admin", "[credits][auth]") {
  Driver driver(kEnv);
  CHECK(driver.get("/credits/ledger").status() == 401);
  CHECK(driver.get("/credits/ledger?user_id=" + kBob, {test::user_auth(kAlice)}).status() == 403);
  CHECK(driver.get("/credits/ledger", {kAdmin}).status() == 400);
  auto out = driver.get("/credits/ledger?user_id=" + kBob, {kAdmin}, database("0", ledger_rows(2, 1)));
  REQUIRE(out.status() == 200);
  CHECK(out.effects[0]["params"][0] == kBob);
  CHECK(out.json()["entries"].size() == 2);
  CHECK(driver.get("/credits/ledger", {test::user_auth(kAlice)}, unavailable).status() == 503);
}

// --- GET /me -----------------------------------------------------------------------------

TEST_CASE("GET /me carries the balance and, without a subscription, null", "[me][credits]") {
  Driver driver({{"SUPABASE_JWT_SECRET", kSecret}, {"WELCOME_CREDITS", "3"}});
  auto out = driver.get("/me", {test::user_auth(kAlice)}, database("3"));
  REQUIRE(out.status() == 200);
  REQUIRE(out.effects.size() == 1);
  CHECK(out.effects[0]["query"].get<std::string>().rfind(std::string(kUserCredits) + ", s.* from", 0) == 0);
  CHECK(out.effects[0]["params"] == Json::array({kAlice, 3}));
  CHECK(out.json()["credits"] == Json{{"balance", 3}});
  CHECK(out.json()["subscription"].is_null());
  CHECK(out.json().contains("subscription"));

  CHECK(driver.get("/me", {test::user_auth(kAlice)}, unavailable).status() == 503);
}
