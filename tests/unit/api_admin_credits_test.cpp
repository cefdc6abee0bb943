// POST /admin/credits with a scripted database: admin only, the body's rules, grant_credits
// for amount > 0 and adjust_credits for amount < 0, and the SQL functions' errors (22023,
// AG402, AG422) turned into 400 / 402 / 422.
#include <catch2/catch.hpp>

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
const std::string kUser = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";

const std::string kGrant =
    "select applied, balance from public.grant_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::text, $6::jsonb)";
const std::string kAdjust =
    "select applied, balance from public.adjust_credits($1::uuid, $2::bigint, $3::text, $4::text)";

testing::RequestSpec post(const std::string& body, std::pair<std::string, std::string> auth) {
  return {"POST", "/admin/credits", {std::move(auth), {"content-length", std::to_string(body.size())}}, true};
}

std::string body_of(const Json& fields) { return dump(fields); }

Json valid(std::int64_t amount = 5) {
  return {{"user_id", kUser}, {"amount", amount}, {"reason", "support gesture"}, {"idempotency_key", "ticket-42"}};
}

/// Answers the request body with `body`, then SQL with `sql(effect)`.
testing::Responder serve(std::string body, std::function<Reply(const Json&)> sql) {
  return [body, sql](const Json& effect) {
    if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
    REQUIRE(effect["op"] == "sql");
    return sql(effect);
  };
}

Reply changed(bool applied, std::string balance) {
  return Reply{{{"rows", Json::array({{{"applied", applied}, {"balance", std::move(balance)}}})}, {"count", 1}}};
}

Reply sql_error(std::string code, std::string message) {
  return Reply{{{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}}};
}

/// The one SQL effect of an outcome (the request body is the other).
Json sql_effect(const testing::Outcome& out) {
  for (const Json& effect : out.effects)
    if (effect["op"] == "sql") return effect;
  FAIL("no sql effect");
  return {};
}
}  // namespace

TEST_CASE("POST /admin/credits is for the admin only", "[credits][admin]") {
  Driver driver(kEnv);
  std::string body = body_of(valid());
  CHECK(driver.run({"POST", "/admin/credits", {{"content-length", "2"}}, true}).status() == 401);
  CHECK(driver.run(post(body, {"authorization", "Bearer wrong"})).status() == 401);
  auto user = driver.run(post(body, test::user_auth(kUser)));
  CHECK(user.status() == 403);
  CHECK(user.json()["error"] == "forbidden");
  CHECK(user.effects.empty());  // refused before reading the body
  Driver no_admin({{"SUPABASE_JWT_SECRET", kSecret}});
  CHECK(no_admin.run(post(body, kAdmin)).status() == 401);
}

TEST_CASE("POST /admin/credits: a positive amount is a grant", "[credits][admin]") {
  Driver driver(kEnv);
  std::string body = body_of(valid(5));
  auto out = driver.run(post(body, kAdmin), serve(body, [](const Json&) { return changed(true, "15"); }));
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"applied", true}, {"balance", 15}});
  Json sql = sql_effect(out);
  CHECK(sql["query"] == kGrant);
  // Admin keys live under their own prefix in the ledger's one key space.
  CHECK(sql["params"] == Json::array({kUser, 5, "grant", "admin:ticket-42", "support gesture", nullptr}));
  // The money moved is on the request's one log line: whose, how much, the balance after.
  REQUIRE(out.logs.size() == 1);
  CHECK(out.logs[0]["msg"] == "request");
  CHECK(out.logs[0]["credit_user_id"] == kUser);
  CHECK(out.logs[0]["credit_amount"] == 5);
  CHECK(out.logs[0]["credit_applied"] == true);
  CHECK(out.logs[0]["credit_balance"] == 15);

  // The same key again: not applied, the current balance.
  auto again = driver.run(post(body, kAdmin), serve(body, [](const Json&) { return changed(false, "15"); }));
  CHECK(again.status() == 200);
  CHECK(again.json() == Json{{"ok", true}, {"applied", false}, {"balance", 15}});
}

TEST_CASE("POST /admin/credits: a negative amount is an adjustment", "[credits][admin]") {
  Driver driver(kEnv);
  Json fields = valid(-3);
  fields["user_id"] = "6F9619FF-8B86-4D11-B42D-00C04FC964FF";  // any case; sent as Postgres spells it
  std::string body = body_of(fields);
  auto out = driver.run(post(body, kAdmin), serve(body, [](const Json&) { return changed(true, "9007199254740993"); }));
  REQUIRE(out.status() == 200);
  CHECK(out.json()["balance"] == 9'007'199'254'740'993);  // bigint text parsed exactly
  Json sql = sql_effect(out);
  CHECK(sql["query"] == kAdjust);
  CHECK(sql["params"] == Json::array({kUser, -3, "admin:ticket-42", "support gesture"}));
}

TEST_CASE("POST /admin/credits: the SQL functions' errors become API errors", "[credits][admin]") {
  Driver driver(kEnv);
  std::string body = body_of(valid(-50));
  auto answer = [&](Reply reply) {
    return driver.run(post(body, kAdmin), serve(body, [reply](const Json&) { return reply; }));
  };

  auto overdraw = answer(sql_error("AG402", "insufficient_credits: balance 10, adjustment -50"));
  CHECK(overdraw.status() == 402);
  CHECK(overdraw.json() ==
        Json{{"ok", false}, {"error", "insufficient_credits"}, {"message", "balance 10, adjustment -50"}});

  auto reused = answer(sql_error("AG422", "idempotency_key_reused: admin:ticket-42 was used for another credit entry"));
  CHECK(reused.status() == 422);
  CHECK(reused.json()["error"] == "idempotency_key_reused");
  CHECK(reused.json()["message"] == "admin:ticket-42 was used for another credit entry");

  auto invalid = answer(sql_error("22023", "invalid_request: delta must not be 0"));
  CHECK(invalid.status() == 400);
  CHECK(invalid.json() == Json{{"ok", false}, {"error", "invalid_request"}, {"message", "delta must not be 0"}});

  // Anything else is our bug: 500, and the database's words stay in the logs.
  auto bug = answer(sql_error("23514", "new row for relation \"credit_balances\" violates check constraint"));
  CHECK(bug.status() == 500);
  CHECK(bug.json()["error"] == "internal_error");
  CHECK(bug.body().find("credit_balances") == std::string::npos);
  CHECK(answer(sql_error("AG403", "append_only: no")).status() == 500);

  CHECK(answer(sql_error("unavailable", "ECONNREFUSED")).status() == 503);
  CHECK(answer(sql_error("57P01", "terminating connection")).status() == 503);
  CHECK(answer(Reply{{{"rows", Json::array()}}}).status() == 500);
}

TEST_CASE("POST /admin/credits validates every field before any SQL", "[credits][admin]") {
  Driver driver(kEnv);
  auto status = [&](const std::string& body) {
    auto out = driver.run(post(body, kAdmin), serve(body, [](const Json&) -> Reply {
                            FAIL("no SQL expected");
                            return {};
                          }));
    if (out.status() == 400) CHECK(out.json()["error"] == "invalid_request");
    return out.status();
  };
  auto with = [](const char* field, Json value) {
    Json fields = valid();
    if (value.is_discarded()) {
      fields.erase(field);
    } else {
      fields[field] = std::move(value);
    }
    return body_of(fields);
  };
  const Json kMissing = Json(Json::value_t::discarded);

  CHECK(status("not json") == 400);
  CHECK(status("[1]") == 400);
  CHECK(status("") == 400);

  CHECK(status(with("user_id", kMissing)) == 400);
  CHECK(status(with("user_id", "u1")) == 400);
  CHECK(status(with("user_id", "6f9619ff-8b86-4d11-b42d-00c04fc964f")) == 400);
  CHECK(status(with("user_id", "6f9619ff+8b86-4d11-b42d-00c04fc964ff")) == 400);
  CHECK(status(with("user_id", 7)) == 400);

  CHECK(status(with("amount", kMissing)) == 400);
  CHECK(status(with("amount", 0)) == 400);
  CHECK(status(with("amount", 1.5)) == 400);
  CHECK(status(with("amount", 5.0)) == 400);
  CHECK(status(with("amount", "5")) == 400);
  CHECK(status(with("amount", true)) == 400);
  CHECK(status(with("amount", nullptr)) == 400);
  CHECK(status(with("amount", 1'000'000'001)) == 400);
  CHECK(status(with("amount", -1'000'000'001)) == 400);
  CHECK(status(R"({"user_id":")" + kUser + R"(","amount":18446744073709551615,"reason":"r","idempotency_key":"k"})") ==
        400);
  CHECK(status(R"({"user_id":")" + kUser + R"(","amount":1e3,"reason":"r","idempotency_key":"k"})") == 400);

  CHECK(status(with("reason", kMissing)) == 400);
  CHECK(status(with("reason", "")) == 400);
  CHECK(status(with("reason", std::string(201, 'r'))) == 400);
  CHECK(status(with("reason", 5)) == 400);

  CHECK(status(with("idempotency_key", kMissing)) == 400);
  CHECK(status(with("idempotency_key", "")) == 400);
  CHECK(status(with("idempotency_key", std::string(256, 'k'))) == 400);
  CHECK(status(with("idempotency_key", Json::array({"k"}))) == 400);

  // The limits themselves are accepted (a reason counts characters, not bytes).
  auto ok = [&](const std::string& body) {
    return driver.run(post(body, kAdmin), serve(body, [](const Json&) { return changed(true, "1"); })).status();
  };
  CHECK(ok(with("amount", 1'000'000'000)) == 200);
  CHECK(ok(with("amount", -1'000'000'000)) == 200);
  CHECK(ok(with("reason", std::string(200, 'r'))) == 200);
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "é";
  CHECK(ok(with("reason", accents)) == 200);
  CHECK(ok(with("idempotency_key", std::string(255, 'k'))) == 200);
}

TEST_CASE("POST /admin/credits refuses an oversized body", "[credits][admin]") {
  Driver driver(kEnv);
  auto out = driver.run({"POST", "/admin/credits", {kAdmin, {"content-length", "100000"}}, true});
  CHECK(out.status() == 413);
}
