// Outgoing job webhooks: the Standard Webhooks signature, the per-owner secrets, and the
// background delivery (claim, signed POST, recorded outcome) with scripted SQL and receivers.
#include <catch2/catch.hpp>

#include "core/config.hpp"
#include "crypto/standard_webhooks.hpp"
#include "jobs/webhooks.hpp"
#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kSigning = {{"APP_ADMIN_TOKEN", test::kAdminToken},
                              {"SUPABASE_JWT_SECRET", test::kJwtSecret},
                              {"PUBLIC_BASE_URL", "https://api.example.com"},
                              {"ASSET_SIGNING_SECRET", "asset-secret"}};
const std::string kJob = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const std::string kDelivery = "0b5c3f0e-6c1e-4a51-9d36-3c0f6f1f7b2a";

Config config(std::initializer_list<std::pair<std::string, std::string>> vars) {
  Json json = Json::object();
  for (const auto& [name, value] : vars) json[name] = value;
  return Config::from_json(json);
}

Json claimed_row(Json user_id) {
  return {{"delivery_id", kDelivery},
          {"event_type", "job.completed"},
          {"url", "https://hooks.example.com/in"},
          {"attempt", 1},
          {"id", kJob},
          {"user_id", std::move(user_id)},
          {"status", "completed"},
          {"model", "default-video"},
          {"cost_credits", 1},
          {"provider", "runpod"},
          {"provider_job_id", "rp-1"},
          {"result", {{"status", "COMPLETED"}}},
          {"error", nullptr},
          {"outputs",
           Json::array({{{"key", "outputs/11111111-1111-4111-8111-111111111111/" + kJob + "/0.mp4"}, {"size", 10}}})},
          {"created_at", "2026-11-22T05:00:00.000Z"},
          {"updated_at", "2026-11-22T05:01:00.000Z"},
          {"finished_at", "2026-11-22T05:01:00.000Z"}};
}

std::string header(const Json& fetch, const std::string& name) {
  for (const Json& pair : fetch["headers"])
    if (pair[0] == name) return pair[1];
  return {};
}
}  // namespace

TEST_CASE("webhook signatures match the Standard Webhooks reference example", "[webhooks]") {
  // The example of the Standard Webhooks specification (standard-webhooks.com).
  CHECK(standard_webhooks::sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                R"({"test": 2432232314})") == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  CHECK(standard_webhooks::sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "{}").empty());
  CHECK(standard_webhooks::sign("whsec_not*base64", "id", 1, "{}").empty());
}

TEST_CASE("each owner has its own derived webhook secret", "[webhooks]") {
  Config from_admin = config({{"APP_ADMIN_TOKEN", "adm1n"}});
  // HMAC(HMAC("adm1n", label), "alphogen-job-webhook-v1\nadmin"), computed with Python's hmac.
  CHECK(jobs::webhook_secret(from_admin, "admin") == "whsec_QMrMR0rkqUfkgVxTXlIPyYX6hFuJxZ5BYCh0BoHl0fI=");
  CHECK(jobs::webhook_secret(from_admin, "11111111-1111-4111-8111-111111111111") !=
        jobs::webhook_secret(from_admin, "22222222-2222-4222-8222-222222222222"));
  CHECK(jobs::webhook_secret(from_admin, "11111111-1111-4111-8111-111111111111") !=
        jobs::webhook_secret(from_admin, "admin"));
  Config dedicated = config({{"APP_ADMIN_TOKEN", "adm1n"}, {"WEBHOOK_SIGNING_SECRET", "s3cret"}});
  CHECK(jobs::webhook_secret(dedicated, "admin") != jobs::webhook_secret(from_admin, "admin"));
  CHECK_FALSE(jobs::webhook_secret(config({}), "admin").has_value());
}

TEST_CASE("GET /webhooks/secret answers the caller's own secret", "[webhooks]") {
  Driver driver(kSigning);
  auto admin = driver.get("/webhooks/secret", {test::kAdminAuth});
  REQUIRE(admin.status() == 200);
  auto user = driver.get("/webhooks/secret", {test::user_auth("11111111-1111-4111-8111-111111111111")});
  REQUIRE(user.status() == 200);
  CHECK(user.json()["secret"] == *jobs::webhook_secret(config({{"APP_ADMIN_TOKEN", test::kAdminToken}}),
                                                       "11111111-1111-4111-8111-111111111111"));
  CHECK(user.json()["secret"] != admin.json()["secret"]);
  CHECK(driver.get("/webhooks/secret").status() == 401);

  Driver unsigned_driver({{"SUPABASE_JWT_SECRET", test::kJwtSecret}});
  auto noop = unsigned_driver.get("/webhooks/secret", {test::user_auth("11111111-1111-4111-8111-111111111111")});
  CHECK(noop.status() == 501);
  CHECK(noop.json()["message"] == "webhook_signing_not_configured");
}

TEST_CASE("a finished job's delivery is a signed POST whose outcome is recorded", "[webhooks]") {
  Driver driver(kSigning);
  std::vector<Json> recorded;
  auto out = driver.background(
      {{"name", "deliver_job_webhooks"}, {"job_id", kJob}, {"request_id", "req-1"}}, [&](const Json& effect) -> Reply {
        if (is_sql(effect, "select * from public.claim_job_webhooks")) {
          CHECK(effect["params"][0] == kJob);
          return rows(Json::array({claimed_row("11111111-1111-4111-8111-111111111111")}));
        }
        if (effect["op"] == "fetch") {
          return Reply{{{"status", 503}, {"headers", Json::array({Json::array({"retry-after", "120"})})}}};
        }
        if (is_sql(effect, "select delivered, retry_in_s from public.record_job_webhook")) {
          recorded.push_back(effect["params"]);
          return rows(Json::array({{{"delivered", false}, {"retry_in_s", 120}}}));
        }
        if (effect["op"] == "queue.send") return Reply{};
        FAIL("unexpected effect " << dump(effect));
        return Reply{};
      });
  CHECK(out.response.empty());

  const Json* fetch = nullptr;
  for (const Json& effect : out.effects)
    if (effect["op"] == "fetch") fetch = &effect;
  REQUIRE(fetch != nullptr);
  CHECK((*fetch)["method"] == "POST");
  CHECK((*fetch)["url"] == "https://hooks.example.com/in");
  CHECK(header(*fetch, "webhook-id") == kDelivery);
  std::string timestamp = header(*fetch, "webhook-timestamp");
  CHECK(timestamp == std::to_string(test::kDriverNowS));
  std::string body = (*fetch)["body"];
  auto secret =
      jobs::webhook_secret(config({{"APP_ADMIN_TOKEN", test::kAdminToken}}), "11111111-1111-4111-8111-111111111111");
  CHECK(header(*fetch, "webhook-signature") == standard_webhooks::sign(*secret, kDelivery, test::kDriverNowS, body));

  Json payload = *parse_json(body);
  CHECK(payload["type"] == "job.completed");
  CHECK(payload["data"]["job_id"] == kJob);
  CHECK(payload["data"]["status"] == "completed");
  CHECK_FALSE(payload["data"].contains("ok"));
  CHECK_FALSE(payload["data"].contains("webhook_token_hash"));
  std::string link = payload["data"]["outputs"][0]["url"];
  CHECK(link.rfind("https://api.example.com/assets/outputs/11111111-1111-4111-8111-111111111111/", 0) == 0);

  // The attempt as claimed, its answer, and how long the answer took (one driver step: 5 ms).
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0] == Json::array({kDelivery, 503, "HTTP 503", 120, 5, 1}));

  // The retry waits on the Queue until it is due (a second late rather than early).
  std::vector<Json> sent;
  for (const Json& effect : out.effects)
    if (effect["op"] == "queue.send") sent.push_back(effect);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["queue"] == "JOBS");
  CHECK(sent[0]["delay_seconds"] == 121);
  CHECK(sent[0]["body"] == Json{{"name", "deliver_job_webhooks"}, {"job_id", kJob}, {"request_id", "req-1"}});
}

TEST_CASE("admin jobs are signed with the admin secret; unreachable receivers are recorded as such", "[webhooks]") {
  Driver driver(kSigning);
  std::vector<Json> recorded;
  auto out = driver.background({{"name", "deliver_job_webhooks"}, {"job_id", kJob}}, [&](const Json& effect) -> Reply {
    if (is_sql(effect, "select * from public.claim_job_webhooks")) return rows(Json::array({claimed_row(nullptr)}));
    if (effect["op"] == "fetch") return Reply{{{"error", {{"code", "timeout"}, {"message", "no answer"}}}}};
    if (is_sql(effect, "select delivered, retry_in_s from public.record_job_webhook")) {
      recorded.push_back(effect["params"]);
      return rows(Json::array({{{"delivered", false}, {"retry_in_s", 43200}}}));
    }
    return Reply{};
  });
  auto admin_secret = jobs::webhook_secret(config({{"APP_ADMIN_TOKEN", test::kAdminToken}}), "admin");
  for (const Json& effect : out.effects) {
    if (effect["op"] != "fetch") continue;
    CHECK(header(effect, "webhook-signature") ==
          standard_webhooks::sign(*admin_secret, kDelivery, test::kDriverNowS, effect["body"].get<std::string>()));
  }
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0] == Json::array({kDelivery, 0, "timeout", nullptr, 5, 1}));
  // A retry 12 h away is more than the Queue holds a message: the cron sweep sends it.
  for (const Json& effect : out.effects) CHECK(effect["op"] != "queue.send");
}

TEST_CASE("a delivered webhook schedules nothing more", "[webhooks]") {
  Driver driver(kSigning);
  auto out = driver.background({{"name", "deliver_job_webhooks"}, {"job_id", kJob}}, [&](const Json& effect) -> Reply {
    if (is_sql(effect, "select * from public.claim_job_webhooks"))
      return rows(Json::array({claimed_row("11111111-1111-4111-8111-111111111111")}));
    if (effect["op"] == "fetch") return Reply{{{"status", 204}, {"headers", Json::array()}}};
    if (is_sql(effect, "select delivered, retry_in_s from public.record_job_webhook"))
      return rows(Json::array({{{"delivered", true}, {"retry_in_s", nullptr}}}));
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  });
  CHECK(out.response.empty());
}

TEST_CASE("a delivery with nothing due sends nothing", "[webhooks]") {
  Driver driver(kSigning);
  int fetches = 0;
  driver.background({{"name", "deliver_job_webhooks"}, {"job_id", kJob}}, [&](const Json& effect) -> Reply {
    fetches += effect["op"] == "fetch";
    return rows(Json::array());
  });
  CHECK(fetches == 0);
}
