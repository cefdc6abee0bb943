// GET /webhooks/deliveries and POST /webhooks/deliveries/:id/redeliver with scripted SQL: whose
// deliveries, the view of a delivery and its attempts, the cursor, and a redelivery sent within
// the request with the same webhook-id.
#include <catch2/catch.hpp>

#include "http/created_cursor.hpp"
#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kSigning = {{"APP_ADMIN_TOKEN", test::kAdminToken}, {"SUPABASE_JWT_SECRET", test::kJwtSecret}};
const std::string kUser = "11111111-1111-4111-8111-111111111111";
const std::string kJob = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const std::string kDelivery = "0b5c3f0e-6c1e-4a51-9d36-3c0f6f1f7b2a";

Json delivery_row(std::string id, Json next_attempt_at, Json delivered_at) {
  Json attempts = Json::array({{{"attempt", 1},
                                {"status_code", 500},
                                {"latency_ms", 31},
                                {"error", "HTTP 500"},
                                {"at", "2026-11-22T05:01:00.000Z"},
                                {"next_retry_at", "2026-11-22T05:01:05.000Z"}}});
  return {{"id", std::move(id)},
          {"job_id", kJob},
          {"event_type", "job.completed"},
          {"url", "https://hooks.example.com/in"},
          {"attempts", 1},
          {"next_attempt_at", std::move(next_attempt_at)},
          {"last_status", 500},
          {"delivered_at", std::move(delivered_at)},
          {"created_at", "2026-11-22T05:01:00.000Z"},
          {"position", "2026-11-22 05:01:00.123456+00"},
          {"attempt_log", std::move(attempts)}};
}

bool is_listing(const Json& effect) { return is_sql(effect, "select * from public.list_job_webhook_deliveries"); }
}  // namespace

TEST_CASE("GET /webhooks/deliveries lists the caller's deliveries with their attempts", "[webhooks]") {
  Driver driver(kSigning);
  Json params;
  auto out = driver.get("/webhooks/deliveries?limit=1", {test::user_auth(kUser)}, [&](const Json& effect) -> Reply {
    REQUIRE(is_listing(effect));
    params = effect["params"];
    return rows(Json::array({delivery_row(kDelivery, "2026-11-22T05:01:05.000Z", nullptr),
                             delivery_row("1b5c3f0e-6c1e-4a51-9d36-3c0f6f1f7b2a", nullptr, nullptr)}));
  });
  REQUIRE(out.status() == 200);
  CHECK(params == Json::array({kUser, nullptr, nullptr, nullptr, 2}));
  Json body = out.json();
  REQUIRE(body["deliveries"].size() == 1);
  const Json& delivery = body["deliveries"][0];
  CHECK(delivery["id"] == kDelivery);
  CHECK(delivery["job_id"] == kJob);
  CHECK(delivery["event"] == "job.completed");
  CHECK(delivery["status"] == "pending");
  CHECK(delivery["attempt_count"] == 1);
  CHECK(delivery["next_attempt_at"] == "2026-11-22T05:01:05.000Z");
  CHECK(delivery["attempts"][0]["status_code"] == 500);
  CHECK(delivery["attempts"][0]["latency_ms"] == 31);
  CHECK(delivery["attempts"][0]["next_retry_at"] == "2026-11-22T05:01:05.000Z");
  CHECK_FALSE(delivery.contains("attempt_log"));

  // The cursor continues after the last delivery shown, microseconds included.
  std::string cursor = body["cursor"];
  auto position = http::decode_created_cursor(cursor);
  REQUIRE(position);
  CHECK(position->created_at == "2026-11-22 05:01:00.123456+00");
  CHECK(position->id == kDelivery);
  auto next = driver.get("/webhooks/deliveries?cursor=" + cursor, {test::user_auth(kUser)}, [&](const Json& effect) {
    params = effect["params"];
    return rows(Json::array());
  });
  CHECK(next.status() == 200);
  CHECK(next.json()["cursor"].is_null());
  CHECK(params == Json::array({kUser, nullptr, "2026-11-22 05:01:00.123456+00", kDelivery, 21}));
}

TEST_CASE("GET /webhooks/deliveries: the admin sees the admin's own; bad input is refused", "[webhooks]") {
  Driver driver(kSigning);
  Json params;
  auto admin = driver.get("/webhooks/deliveries", {test::kAdminAuth}, [&](const Json& effect) {
    params = effect["params"];
    return rows(Json::array({delivery_row(kDelivery, nullptr, nullptr)}));
  });
  REQUIRE(admin.status() == 200);
  CHECK(params[0].is_null());
  CHECK(admin.json()["deliveries"][0]["status"] == "failed");
  CHECK(admin.json()["cursor"].is_null());

  CHECK(driver.get("/webhooks/deliveries").status() == 401);
  CHECK(driver.get("/webhooks/deliveries?cursor=bm9wZQ", {test::kAdminAuth}).status() == 400);
  CHECK(driver.get("/webhooks/deliveries?limit=0", {test::kAdminAuth}).status() == 400);
  // A well-formed cursor naming an impossible instant: Postgres refuses it, the caller gets 400.
  std::string impossible = http::encode_created_cursor({"2024-02-31 00:00:00+00", kDelivery});
  auto refused = driver.get("/webhooks/deliveries?cursor=" + impossible, {test::kAdminAuth}, [](const Json&) {
    return Reply{{{"error", {{"code", "22008"}, {"message", "date/time field value out of range"}}}}};
  });
  CHECK(refused.status() == 400);
}

TEST_CASE("POST /webhooks/deliveries/:id/redeliver sends it now with the same webhook-id", "[webhooks]") {
  Driver driver(kSigning);
  Json redeliver_params;
  std::string webhook_id;
  auto out = driver.run({"POST", "/webhooks/deliveries/" + kDelivery + "/redeliver", {test::user_auth(kUser)}},
                        [&](const Json& effect) {
                          if (is_sql(effect, "select job_id from public.redeliver_job_webhook")) {
                            redeliver_params = effect["params"];
                            return rows(Json::array({{{"job_id", kJob}}}));
                          }
                          if (is_sql(effect, "select * from public.claim_job_webhooks")) {
                            CHECK(effect["params"][0] == kJob);
                            return rows(Json::array({{{"delivery_id", kDelivery},
                                                      {"event_type", "job.completed"},
                                                      {"url", "https://hooks.example.com/in"},
                                                      {"attempt", 2},
                                                      {"id", kJob},
                                                      {"user_id", kUser},
                                                      {"status", "completed"}}}));
                          }
                          if (effect["op"] == "fetch") {
                            for (const Json& pair : effect["headers"])
                              if (pair[0] == "webhook-id") webhook_id = pair[1];
                            return Reply{{{"status", 200}, {"headers", Json::array()}}};
                          }
                          if (is_sql(effect, "select delivered, retry_in_s from public.record_job_webhook"))
                            return rows(Json::array({{{"delivered", true}, {"retry_in_s", nullptr}}}));
                          if (is_listing(effect)) {
                            CHECK(effect["params"] == Json::array({kUser, kDelivery, nullptr, nullptr, 1}));
                            return rows(Json::array({delivery_row(kDelivery, nullptr, "2026-11-22T06:00:00.000Z")}));
                          }
                          FAIL("unexpected effect " << dump(effect));
                          return Reply{};
                        });
  REQUIRE(out.status() == 200);
  CHECK(redeliver_params == Json::array({kUser, kDelivery}));
  CHECK(webhook_id == kDelivery);
  CHECK(out.json()["ok"] == true);
  CHECK(out.json()["id"] == kDelivery);
  CHECK(out.json()["status"] == "delivered");
}

TEST_CASE("POST /webhooks/deliveries/:id/redeliver: unknown or another owner's is a 404", "[webhooks]") {
  Driver driver(kSigning);
  // Not a uuid: no query at all.
  CHECK(driver.run({"POST", "/webhooks/deliveries/nope/redeliver", {test::user_auth(kUser)}}).status() == 404);
  auto other = driver.run({"POST", "/webhooks/deliveries/" + kDelivery + "/redeliver", {test::kAdminAuth}},
                          [](const Json& effect) {
                            REQUIRE(is_sql(effect, "select job_id from public.redeliver_job_webhook"));
                            CHECK(effect["params"][0].is_null());
                            return rows(Json::array());
                          });
  CHECK(other.status() == 404);
  CHECK(other.json()["error"] == "not_found");
  CHECK(driver.run({"POST", "/webhooks/deliveries/" + kDelivery + "/redeliver"}).status() == 401);
}
