// POST /jobs, GET /jobs/:id and the RunPod callback, with scripted SQL and RunPod answers:
// what is sent where, in which order, and how each answer maps to the response.
#include <catch2/catch.hpp>

#include "crypto/sha256.hpp"
#include "jobs/outputs.hpp"
#include "support/driver.hpp"
#include "support/jws_signer.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
constexpr std::int64_t kNowS = test::kDriverNowS;
const std::string& kSecret = test::kJwtSecret;
const std::string kJob = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const Driver::Env kRunPod = {{"APP_ADMIN_TOKEN", "adm1n"},          {"SUPABASE_JWT_SECRET", kSecret},
                             {"RUNPOD_API_KEY", "rp-key"},          {"RUNPOD_ENDPOINT_ID", "ep1"},
                             {"RUNPOD_API_BASE", "http://rp.test"}, {"PUBLIC_BASE_URL", "https://api.example.com"}};
const auto& kAdmin = test::kAdminAuth;

Reply http(int status, std::string body) {
  return Reply{{{"status", status}, {"headers", Json::array()}, {"has_body", true}}, std::move(body)};
}

/// One POST /jobs conversation: the body, create_job's row, then RunPod's answer.
struct Script {
  std::string body = R"({"prompt":"a cat on a skateboard"})";
  Json created = {
      {"outcome", "created"}, {"job_id", kJob}, {"status", "queued"}, {"cost_credits", 1}, {"balance", "9"}};
  Reply runpod = http(200, R"({"id":"rp-1","status":"IN_QUEUE"})");

  testing::Responder responder() const {
    return [*this](const Json& effect) {
      if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
      if (is_catalog(effect)) return catalog();
      if (is_sql(effect, "select c.*, m.id as model_id, m.provider")) return rows(Json::array({created}));
      if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job"))
        return rows(Json::array({{{"applied", true}, {"status", effect["params"][1]}, {"refunded", 0}}}));
      if (effect["op"] == "fetch") return runpod;
      FAIL("unexpected effect " << dump(effect));
      return Reply{};
    };
  }
};

testing::RequestSpec post_job(std::vector<std::pair<std::string, std::string>> headers, std::size_t size = 32) {
  headers.emplace_back("content-length", std::to_string(size));
  return {"POST", "/jobs", std::move(headers), true};
}

const Json* find_effect(const testing::Outcome& out, std::string_view prefix) {
  for (const Json& effect : out.effects)
    if (is_sql(effect, prefix) || (prefix == "fetch" && effect["op"] == "fetch")) return &effect;
  return nullptr;
}
}  // namespace

TEST_CASE("POST /jobs: reserve, submit to RunPod, record the provider id", "[jobs]") {
  Driver driver(kRunPod);
  auto out = driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), Script{}.responder());
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true},
                           {"status", "submitted"},
                           {"provider", "runpod"},
                           {"provider_job_id", "rp-1"},
                           {"job_id", kJob},
                           {"result", {{"id", "rp-1"}, {"status", "IN_QUEUE"}}},
                           {"cost_credits", 1},
                           {"balance", 9}});
  // The models read once per isolate, two round trips per job, one call to RunPod, in that order.
  REQUIRE(out.effects.size() == 5);
  CHECK(out.effects[0]["op"] == "request.body");
  CHECK(is_catalog(out.effects[1]));
  const Json& create = out.effects[2];
  CHECK(create["params"][0] == "11111111-1111-4111-8111-111111111111");
  CHECK(create["params"][1] == "runpod-video");  // the default model, priced from its row
  const Json prompt = {{"prompt", "a cat on a skateboard"}};
  CHECK(parse_json(create["params"][2].get<std::string>()) == Json{{"input", prompt}, {"provider_input", prompt}});
  CHECK(create["params"][11] == 1);  // the price
  CHECK(create["params"][12] == 1);  // from revision 1
  CHECK(create["params"][5] == "11111111-1111-4111-8111-111111111111");
  CHECK(create["params"][6] == nullptr);
  const std::string token_hash = create["params"][9];
  CHECK(token_hash.size() == 64);

  const Json& run = out.effects[3];
  CHECK(run["url"] == "http://rp.test/ep1/run");
  Json sent = *parse_json(run["body"].get<std::string>());
  CHECK(sent["input"] == Json{{"prompt", "a cat on a skateboard"}});
  std::string webhook = sent["webhook"];
  const std::string prefix = "https://api.example.com/webhooks/runpod/" + kJob + "?token=";
  REQUIRE(webhook.rfind(prefix, 0) == 0);
  std::string token = webhook.substr(prefix.size());
  CHECK(crypto::sha256_hex(token) == token_hash);

  const Json& settle = out.effects[4];
  CHECK(settle["params"][0] == kJob);
  CHECK(settle["params"][1] == "submitted");
  CHECK(parse_json(settle["params"][3].get<std::string>())->at("provider_job_id") == "rp-1");
  CHECK(settle["params"][4] == 200);
  CHECK(parse_json(settle["params"][5].get<std::string>()) == out.json());
}

TEST_CASE("POST /jobs: RunPod refusing the job is a 502 with the job id, refunded in SQL", "[jobs]") {
  Driver driver(kRunPod);
  for (Reply failure : {http(500, "boom"), http(429, R"({"error":"rate"})"), http(200, "not json"),
                        Reply{{{"error", {{"code", "timeout"}}}}}}) {
    Script script;
    script.runpod = failure;
    auto out = driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), script.responder());
    CHECK(out.status() == 502);
    CHECK(out.json()["error"] == "provider_error");
    CHECK(out.json()["job_id"] == kJob);
    const Json* settle =
        find_effect(out, "select applied, status, refunded, charged_credits from public.transition_job");
    REQUIRE(settle);
    CHECK((*settle)["params"][1] == "error");
    CHECK((*settle)["params"][4] == 502);
  }
}

TEST_CASE("POST /jobs without RunPod is the 202 noop, recorded as noop", "[jobs]") {
  Driver driver({{"APP_ADMIN_TOKEN", "adm1n"}});
  auto out = driver.run(post_job({kAdmin}), Script{}.responder());
  CHECK(out.status() == 202);
  CHECK(out.json() == Json{{"ok", true},
                           {"status", "submitted"},
                           {"provider", "noop"},
                           {"provider_job_id", nullptr},
                           {"job_id", kJob},
                           {"message", "runpod_not_configured"}});
  CHECK_FALSE(find_effect(out, "fetch"));
  CHECK(out.effects[2]["params"][0] == nullptr);  // an admin job: no user, no charge
  CHECK(out.effects[2]["params"][5] == "admin");
  // The model, and so its provider, is known once the job is recorded: every job has a token.
  CHECK(out.effects[2]["params"][9].is_string());
  CHECK(out.effects[2]["params"][10] == "{runpod}");  // the noop still takes jobs
  CHECK(out.effects[3]["params"][1] == "noop");
}

TEST_CASE("POST /jobs: a model with its own RunPod endpoint is submitted there", "[jobs]") {
  Driver driver(kRunPod);
  Script script;
  script.created["model_endpoint_id"] = "ep-video";
  auto out = driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), script.responder());
  REQUIRE(out.status() == 200);
  const Json* run = find_effect(out, "fetch");
  REQUIRE(run);
  CHECK((*run)["url"] == "http://rp.test/ep-video/run");
}

TEST_CASE("POST /jobs: a Replicate model is created as a prediction, its webhook signed by Replicate", "[jobs]") {
  Driver driver({{"SUPABASE_JWT_SECRET", kSecret},
                 {"REPLICATE_API_TOKEN", "r8_token"},
                 {"REPLICATE_API_BASE", "http://replicate.test/v1"},
                 {"REPLICATE_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                 {"PUBLIC_BASE_URL", "https://api.example.com"}});
  Script script;
  script.created["model_provider"] = "replicate";
  script.created["model_provider_model"] = "black-forest-labs/flux-schnell";
  script.runpod = http(201, R"({"id":"pred-1","status":"starting","output":null})");
  auto out = driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), script.responder());
  REQUIRE(out.status() == 200);
  CHECK(out.json()["provider"] == "replicate");
  CHECK(out.json()["provider_job_id"] == "pred-1");
  CHECK(out.effects[2]["params"][10] == "{runpod,replicate}");
  const Json* create = find_effect(out, "fetch");
  REQUIRE(create);
  CHECK((*create)["url"] == "http://replicate.test/v1/models/black-forest-labs/flux-schnell/predictions");
  Json sent = *parse_json((*create)["body"].get<std::string>());
  CHECK(sent["input"] == Json{{"prompt", "a cat on a skateboard"}});
  CHECK(sent["webhook_events_filter"] == Json::array({"completed"}));
  std::string webhook = sent["webhook"];
  CHECK(webhook.rfind("https://api.example.com/webhooks/replicate/" + std::string(kJob) + "?token=", 0) == 0);
  CHECK(out.effects.back()["params"][1] == "submitted");
}

TEST_CASE("POST /jobs: webhook_url is https or loopback http, and needs signing configured", "[jobs]") {
  auto post = [](Driver& driver, const std::string& url) {
    Script script;
    script.body = R"({"prompt":"x","webhook_url":")" + url + "\"}";
    return driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}, script.body.size()),
                      script.responder());
  };
  Driver driver(kRunPod);
  CHECK(post(driver, "https://hooks.example.com/in").status() == 200);
  CHECK(post(driver, "http://127.0.0.1:9000/in").status() == 200);
  CHECK(post(driver, "http://localhost/in").status() == 200);

  Driver no_signing({{"SUPABASE_JWT_SECRET", kSecret}});
  auto refused = post(no_signing, "https://hooks.example.com/in");
  CHECK(refused.status() == 400);
  CHECK(refused.json()["message"].get<std::string>().find("WEBHOOK_SIGNING_SECRET") != std::string::npos);
}

TEST_CASE("POST /jobs with Prefer: wait answers the finished job when it ends in time", "[jobs]") {
  Driver driver(kRunPod);
  auto waiting = [](std::string status) {
    Script script;
    auto base = script.responder();
    return [base, status](const Json& effect) {
      if (effect["op"] == "sleep") return Reply{Json::object(), ""};
      if (is_sql(effect, "select id, user_id, status, model"))
        return rows(Json::array({{{"id", kJob}, {"status", status}, {"model", "m"}, {"cost_credits", 1}}}));
      return base(effect);
    };
  };
  auto user = test::user_auth("11111111-1111-4111-8111-111111111111");
  std::vector<std::pair<std::string, std::string>> headers = {user, {"prefer", "wait=2"}};
  auto done = driver.run(post_job(headers), waiting("completed"));
  CHECK(done.status() == 200);
  CHECK(done.header("preference-applied") == "wait=2");
  CHECK(done.json()["status"] == "completed");
  CHECK(done.json()["job_id"] == kJob);

  // still running after the 2 s it asked for (0.25 + 0.5 + 1 + 0.25 s of sleeps): the usual answer
  auto open = driver.run(post_job(headers), waiting("running"));
  CHECK(open.status() == 200);
  CHECK_FALSE(open.header("preference-applied"));
  CHECK(open.json()["status"] == "submitted");
  std::vector<std::int64_t> slept;
  for (const Json& effect : open.effects)
    if (effect["op"] == "sleep") slept.push_back(effect["ms"].get<std::int64_t>());
  CHECK(slept == std::vector<std::int64_t>{250, 500, 1000, 250});
}

TEST_CASE("POST /jobs: only a job that ends at once puts its webhook delivery on the Queue", "[jobs]") {
  Driver driver(kRunPod);
  auto queued = [](const Outcome& out) {
    std::vector<Json> sends;
    for (const Json& effect : out.deferred)
      if (effect["op"] == "queue.send") sends.push_back(effect);
    return sends;
  };
  CHECK(queued(driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), Script{}.responder()))
            .empty());
  Script failing;
  failing.runpod = http(500, "boom");
  auto out = driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111")}), failing.responder());
  REQUIRE(out.status() == 502);
  CHECK(out.background.empty());
  auto sends = queued(out);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0] ==
        Json{{"op", "queue.send"},
             {"queue", "JOBS"},
             {"body",
              {{"name", "deliver_job_webhooks"}, {"job_id", kJob}, {"request_id", *out.header("x-request-id")}}}});
}

TEST_CASE("POST /jobs maps create_job's refusals to the documented errors", "[jobs]") {
  Driver driver(kRunPod);
  auto refused = [&](Json created) {
    Script script;
    script.created = std::move(created);
    return driver.run(post_job({test::user_auth("11111111-1111-4111-8111-111111111111"), {"idempotency-key", "k-1"}}),
                      script.responder());
  };
  auto poor = refused({{"outcome", "insufficient_credits"}, {"balance", "0"}, {"required", 1}});
  CHECK(poor.status() == 402);
  CHECK(poor.json()["balance"] == 0);
  CHECK(poor.json()["required"] == 1);
  auto limited = refused({{"outcome", "rate_limited"}, {"retry_after_s", 120}});
  CHECK(limited.status() == 429);
  CHECK(limited.header("retry-after") == "120");
  CHECK(refused({{"outcome", "unknown_model"}}).status() == 400);
  auto unavailable = refused({{"outcome", "model_unavailable"}});
  CHECK(unavailable.status() == 400);
  CHECK(unavailable.json()["error"] == "model_unavailable");
  CHECK(refused({{"outcome", "in_progress"}, {"job_id", kJob}}).status() == 409);
  CHECK(refused({{"outcome", "idempotency_key_reused"}, {"job_id", kJob}}).json()["error"] == "idempotency_key_reused");

  Json stored = {{"ok", true}, {"job_id", kJob}, {"status", "submitted"}};
  auto replay = refused({{"outcome", "replay"}, {"job_id", kJob}, {"response_status", 200}, {"response_body", stored}});
  CHECK(replay.status() == 200);
  CHECK(replay.json() == stored);
  CHECK(replay.header("idempotent-replayed") == "true");
  CHECK(replay.effects.size() == 2);  // the catalog is read once per isolate; no provider call, no second write
  CHECK(replay.effects[1]["params"][6] == "k-1");
  auto changed = refused({{"outcome", "model_changed"}});
  CHECK(changed.status() == 409);         // priced twice from rows that kept changing
  CHECK(is_catalog(changed.effects[2]));  // the second price came from a fresh read
}

TEST_CASE("POST /jobs validates before reserving anything", "[jobs]") {
  Driver driver(kRunPod);
  auto status = [&](std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.push_back(test::user_auth("11111111-1111-4111-8111-111111111111"));
    Script script;
    script.body = body;
    return driver
        .run(post_job(headers, body.size()),
             [&](const Json& effect) {
               if (effect["op"] != "request.body" && !is_catalog(effect)) FAIL("unexpected effect " << dump(effect));
               return script.responder()(effect);
             })
        .status();
  };
  CHECK(status(R"({})") == 400);
  CHECK(status(R"({"prompt":""})") == 400);
  CHECK(status(R"({"prompt":")" + std::string(4001, 'x') + "\"}") == 400);
  CHECK(status(R"({"prompt":"x","model":1})") == 400);
  CHECK(status(R"({"prompt":"x","input":[1]})") == 400);
  CHECK(status(R"({"prompt":"x","input":{"prompt":"y"}})") == 400);
  // only what the model declares reaches its provider: RunPod runs the model priced
  CHECK(status(R"({"prompt":"x","input":{"model":"pricey"}})") == 400);
  CHECK(status(R"({"prompt":"x","model":"cheap","input":{"model":"pricey"}})") == 400);
  CHECK(status(R"({"prompt":"x","webhook_url":"http://plain.example"})") == 400);
  CHECK(status(R"({"prompt":"x","webhook_url":"http://127.0.0.1.evil.example/"})") == 400);
  CHECK(status(R"({"prompt":"x","webhook_url":"http://localhost@evil.example/"})") == 400);
  CHECK(status(R"({"prompt":"x","webhook_url":"https://"})") == 400);
  CHECK(status(R"(["prompt"])") == 400);
  CHECK(status(R"({"prompt":"x"})", {{"idempotency-key", std::string(256, 'k')}}) == 400);
  CHECK(driver.run(post_job({})).status() == 401);
}

TEST_CASE("GET /jobs/:id polls RunPod while the job is open and records the change", "[jobs]") {
  Driver driver(kRunPod);
  Json row = {{"id", kJob},
              {"user_id", "11111111-1111-4111-8111-111111111111"},
              {"status", "submitted"},
              {"provider", "runpod"},
              {"provider_job_id", "rp-1"},
              {"cost_credits", 1},
              {"webhook_token_hash", "secret-hash"}};
  auto respond = [&](const Json& effect) {
    if (is_sql(effect, "select id, user_id")) return rows(Json::array({row}));
    if (effect["op"] == "fetch") return http(200, R"({"id":"rp-1","status":"COMPLETED","output":{"url":"x"}})");
    if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job"))
      return rows(Json::array({{{"applied", true}, {"status", "completed"}, {"refunded", 0}}}));
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto out = driver.get("/jobs/" + kJob, {test::user_auth("11111111-1111-4111-8111-111111111111")}, respond);
  REQUIRE(out.status() == 200);
  CHECK(out.json()["status"] == "completed");
  CHECK(out.json()["result"]["output"]["url"] == "x");
  CHECK_FALSE(out.json().contains("webhook_token_hash"));
  REQUIRE(out.effects.size() == 3);
  CHECK(out.effects[1]["url"] == "http://rp.test/ep1/status/rp-1");
  CHECK(out.effects[2]["params"][1] == "completed");

  // A finished job costs one query and no provider call.
  row["status"] = "completed";
  auto done = driver.get("/jobs/" + kJob, {test::user_auth("11111111-1111-4111-8111-111111111111")}, respond);
  CHECK(done.status() == 200);
  CHECK(done.effects.size() == 1);

  CHECK(driver.get("/jobs/" + kJob, {test::user_auth("22222222-2222-4222-8222-222222222222")}, respond).status() ==
        404);
  CHECK(driver.get("/jobs/" + kJob, {kAdmin}, respond).status() == 200);
  CHECK(driver.get("/jobs/not-a-uuid", {test::user_auth("11111111-1111-4111-8111-111111111111")}).status() == 404);
  CHECK(driver.get("/jobs/" + kJob).status() == 401);
}

TEST_CASE("RunPod callbacks need the job's token and apply through transition_job", "[jobs][webhook]") {
  Driver driver(kRunPod);
  const std::string token = "callback-token";
  Json row = {{"id", kJob},
              {"user_id", "11111111-1111-4111-8111-111111111111"},
              {"status", "queued"},
              {"provider", nullptr},
              {"provider_job_id", nullptr},
              {"webhook_token_hash", crypto::sha256_hex(token)}};
  const std::string body = R"({"id":"rp-1","status":"FAILED","error":"out of memory","input":{}})";
  auto respond = [&](const Json& effect) {
    if (is_sql(effect, "select id, user_id")) return rows(Json::array({row}));
    if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
    // the model allows no other attempt
    if (is_sql(effect, "select public.retry_job")) return rows(Json::array({{{"retried", false}}}));
    if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job"))
      return rows(Json::array({{{"applied", true}, {"status", effect["params"][1]}, {"refunded", 1}}}));
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto post = [&](std::string query) {
    return driver.run(
        {"POST", "/webhooks/runpod/" + kJob + query, {{"content-length", std::to_string(body.size())}}, true}, respond);
  };
  auto out = post("?token=" + token);
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"received", true}, {"applied", true}, {"status", "failed"}});
  // The callback overtook POST /jobs: submitted first, then the failure.
  std::vector<std::string> steps;
  for (const Json& effect : out.effects)
    if (is_sql(effect, "select applied")) steps.push_back(effect["params"][1]);
  CHECK(steps == std::vector<std::string>{"submitted", "failed"});
  // After the response: the events log, and the job's webhook delivery onto the Queue.
  REQUIRE(out.deferred.size() == 2);
  CHECK(out.deferred[0]["query"].get<std::string>().find("insert into public.events") != std::string::npos);
  CHECK(dump(out.deferred[0]).find(token) == std::string::npos);
  CHECK(out.deferred[1]["op"] == "queue.send");
  CHECK(out.deferred[1]["body"]["job_id"] == kJob);

  CHECK(post("?token=wrong").status() == 401);
  CHECK(post("").status() == 401);
  CHECK(driver.run({"POST", "/webhooks/runpod/not-a-uuid?token=" + token, {}, true}).status() == 401);
  row["provider_job_id"] = "rp-other";
  CHECK(post("?token=" + token).status() == 400);
}

TEST_CASE("POST /jobs/:id/cancel: RunPod first, then cancelled and refunded", "[jobs][cancel]") {
  Driver driver(kRunPod);
  Json row = {{"id", kJob},
              {"user_id", "11111111-1111-4111-8111-111111111111"},
              {"status", "running"},
              {"provider", "runpod"},
              {"provider_job_id", "rp-1"}};
  int runpod_status = 200;
  std::string runpod_reply = R"({"id":"rp-1","status":"CANCELLED"})";
  std::string status_reply = R"({"id":"rp-1","status":"COMPLETED","output":{"text":"hi"}})";
  bool applies = true;
  std::vector<std::string> transitions;
  std::vector<std::string> fetched;
  auto respond = [&](const Json& effect) -> Reply {
    if (is_sql(effect, "select id, user_id")) return rows(Json::array({row}));
    if (effect["op"] == "fetch") {
      fetched.push_back(effect["url"]);
      bool poll = fetched.back().find("/status/") != std::string::npos;
      return http(runpod_status, poll ? status_reply : runpod_reply);
    }
    if (is_sql(effect, "select updated, status from public.update_job_fields")) return rows(Json::array());
    if (is_sql(effect, "select applied")) {
      transitions.push_back(effect["params"][1]);
      return rows(Json::array({{{"applied", applies},
                                {"status", applies ? effect["params"][1] : "completed"},
                                {"refunded", applies ? "1" : "0"}}}));
    }
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto cancel = [&](std::pair<std::string, std::string> who) {
    return driver.run({"POST", "/jobs/" + kJob + "/cancel", {std::move(who)}}, respond);
  };
  auto out = cancel(test::user_auth("11111111-1111-4111-8111-111111111111"));
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"job_id", kJob}, {"status", "cancelled"}, {"refunded", 1}});
  CHECK(out.effects[1]["url"] == "http://rp.test/ep1/cancel/rp-1");
  CHECK(out.effects[2]["params"][1] == "cancelled");

  runpod_status = 500;
  auto refused = cancel(test::user_auth("11111111-1111-4111-8111-111111111111"));
  CHECK(refused.status() == 502);
  CHECK(refused.effects.size() == 2);  // nothing recorded
  runpod_status = 200;

  runpod_reply = "<html>maintenance</html>";  // a 2xx that confirms nothing
  CHECK(cancel(test::user_auth("11111111-1111-4111-8111-111111111111")).status() == 502);
  runpod_reply = R"({"id":"rp-1","status":"IN_PROGRESS"})";
  CHECK(cancel(test::user_auth("11111111-1111-4111-8111-111111111111")).status() == 502);

  // RunPod had finished the job: what it reports is recorded, and the cancel refused
  transitions.clear();
  runpod_reply = R"({"id":"rp-1","status":"FAILED","error":"oom"})";
  auto lost = cancel(test::user_auth("11111111-1111-4111-8111-111111111111"));
  CHECK(lost.status() == 409);
  CHECK(lost.json()["message"] == "the job has already finished: failed");
  CHECK(transitions == std::vector<std::string>{"failed"});

  // A completion reported without its output: /status is read for it before it is recorded
  transitions.clear();
  fetched.clear();
  runpod_reply = R"({"id":"rp-1","status":"COMPLETED"})";
  CHECK(cancel(test::user_auth("11111111-1111-4111-8111-111111111111")).status() == 409);
  CHECK(fetched == std::vector<std::string>{"http://rp.test/ep1/cancel/rp-1", "http://rp.test/ep1/status/rp-1"});
  CHECK(transitions == std::vector<std::string>{"completed"});
  runpod_reply = R"({"id":"rp-1","status":"CANCELLED"})";

  applies = false;  // the webhook finished it meanwhile
  CHECK(cancel(test::user_auth("11111111-1111-4111-8111-111111111111")).status() == 409);
  applies = true;
  row["status"] = "queued";  // still being submitted: no RunPod id to cancel yet
  auto early = cancel(test::user_auth("11111111-1111-4111-8111-111111111111"));
  CHECK(early.status() == 409);
  CHECK(early.effects.size() == 1);
  row["status"] = "completed";
  auto finished = cancel(test::user_auth("11111111-1111-4111-8111-111111111111"));
  CHECK(finished.status() == 409);
  CHECK(finished.effects.size() == 1);
  CHECK(cancel(test::user_auth("22222222-2222-4222-8222-222222222222")).status() == 404);
}

TEST_CASE("GET /jobs pages by (created_at, id) with one query", "[jobs][list]") {
  Driver driver(kRunPod);
  auto page = [](std::size_t count) {
    Json list = Json::array();
    for (std::size_t i = 0; i < count; ++i)
      list.push_back({{"id", "00000000-0000-4000-8000-00000000000" + std::to_string(i)},
                      {"user_id", "11111111-1111-4111-8111-111111111111"},
                      {"status", "completed"},
                      {"cost_credits", 1},
                      {"created_at", "2026-11-22T04:00:00.000Z"},
                      {"position", "2026-11-22 04:00:00.123456+00"},
                      {"webhook_token_hash", "h"}});
    return list;
  };
  std::size_t available = 3;
  auto respond = [&](const Json&) { return rows(page(available)); };

  auto first = driver.get("/jobs?limit=2", {test::user_auth("11111111-1111-4111-8111-111111111111")}, respond);
  REQUIRE(first.status() == 200);
  CHECK(first.json()["jobs"].size() == 2);
  CHECK_FALSE(first.json()["jobs"][0].contains("webhook_token_hash"));
  CHECK_FALSE(first.json()["jobs"][0].contains("position"));
  const Json& params = first.effects[0]["params"];
  CHECK(params == Json::array({"11111111-1111-4111-8111-111111111111", nullptr, nullptr, nullptr, 3}));
  std::string cursor = first.json()["cursor"];

  available = 1;
  auto second = driver.get("/jobs?limit=2&status=completed&cursor=" + cursor,
                           {test::user_auth("11111111-1111-4111-8111-111111111111")}, respond);
  REQUIRE(second.status() == 200);
  CHECK(second.effects[0]["params"] ==
        Json::array({"11111111-1111-4111-8111-111111111111", "completed", "2026-11-22 04:00:00.123456+00",
                     "00000000-0000-4000-8000-000000000001", 3}));
  CHECK(second.json()["cursor"] == nullptr);

  CHECK(driver.get("/jobs", {kAdmin}, respond).effects[0]["params"][0] == nullptr);
  CHECK(driver.get("/jobs?cursor=bogus", {test::user_auth("11111111-1111-4111-8111-111111111111")}).status() == 400);
  CHECK(driver.get("/jobs?limit=0", {test::user_auth("11111111-1111-4111-8111-111111111111")}).status() == 400);
  CHECK(driver.get("/jobs?limit=101", {test::user_auth("11111111-1111-4111-8111-111111111111")}).status() == 400);
  CHECK(driver.get("/jobs").status() == 401);
}

TEST_CASE("completing a job copies its outputs into R2 and GET links them", "[jobs][outputs]") {
  Driver driver(kRunPod);
  Json row = {{"id", kJob},
              {"user_id", "11111111-1111-4111-8111-111111111111"},
              {"status", "running"},
              {"provider", "runpod"},
              {"provider_job_id", "rp-1"}};
  const std::string done =
      R"({"id":"rp-1","status":"COMPLETED","output":[{"image_url":"data:image/png;base64,iVBORw0KGgo="},"not a file",)"
      R"({"image_base64":"AAAA","seed":42},{"video_url":"https://cdn.test/v/clip.MP4?sig=1"}]})";
  std::vector<Json> puts;
  Json recorded;
  auto respond = [&](const Json& effect) -> Reply {
    if (is_sql(effect, "select id, user_id")) return rows(Json::array({row}));
    if (effect["op"] == "fetch") return http(200, done);
    // The files are copied first, and the job becomes completed with them.
    if (is_sql(effect, "select applied")) {
      recorded = *parse_json(effect["params"][3].get<std::string>());
      return rows(Json::array({{{"applied", true}, {"status", "completed"}, {"refunded", 0}}}));
    }
    if (effect["op"] == "r2.put") {
      CHECK(recorded.is_null());
      puts.push_back(effect);
      if (effect["body"]["from"] == "base64" && effect["body"]["data"] == "AAAA")
        return Reply{{{"error", {{"code", "r2_error"}}}}};
      return Reply{{{"key", effect["key"]}, {"size", 10}, {"etag", "e"}}};
    }
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto out = driver.get("/jobs/" + kJob, {test::user_auth("11111111-1111-4111-8111-111111111111")}, respond);
  REQUIRE(out.status() == 200);
  REQUIRE(puts.size() == 3);
  // In the output's order: the data: URI, the bare base64, the URL.
  CHECK(puts[0]["key"] == "outputs/11111111-1111-4111-8111-111111111111/" + kJob + "/1.png");
  CHECK(puts[0]["body"] == Json{{"from", "base64"}, {"data", "iVBORw0KGgo="}});
  CHECK(puts[0]["content_type"] == "image/png");
  CHECK(puts[1]["key"] == "outputs/11111111-1111-4111-8111-111111111111/" + kJob + "/2");
  CHECK(puts[2]["key"] == "outputs/11111111-1111-4111-8111-111111111111/" + kJob + "/3.mp4");
  CHECK(puts[2]["body"] == Json{{"from", "url"}, {"url", "https://cdn.test/v/clip.MP4?sig=1"}, {"timeout_ms", 60000}});
  // The copies left together, in one step.
  int put_step = -1;
  for (std::size_t i = 0; i < out.effects.size(); ++i)
    if (out.effects[i]["op"] == "r2.put" && put_step < 0) put_step = static_cast<int>(i);
  CHECK(out.effects[put_step + 1]["op"] == "r2.put");

  REQUIRE(recorded["outputs"].size() == 3);
  CHECK(recorded["outputs"][1] == Json{{"source", "base64"}, {"error", "r2_error"}});
  const Json shown = out.json()["outputs"];
  REQUIRE(shown.size() == 3);
  std::string url = shown[2]["url"];
  CHECK(url.rfind(
            "https://api.example.com/assets/outputs/11111111-1111-4111-8111-111111111111/" + kJob + "/3.mp4?expires=",
            0) == 0);
  CHECK_FALSE(shown[1].contains("url"));
}

TEST_CASE("outputs are copied only from the documented shapes, never from echoed input", "[jobs][outputs]") {
  auto urls = [](const char* output) {
    std::vector<std::string> found;
    for (const auto& source : jobs::find_output_sources(*parse_json(output)))
      found.push_back(source.url.empty() ? "base64:" + source.base64 : source.url);
    return found;
  };
  using Found = std::vector<std::string>;
  // `output` itself a file, a list of files, or an object naming its files.
  CHECK(urls(R"("https://cdn.test/a.png")") == Found{"https://cdn.test/a.png"});
  CHECK(urls(R"(["https://cdn.test/1.png",{"url":"https://cdn.test/2.png"},"data:image/png;base64,AAAA"])") ==
        Found{"https://cdn.test/1.png", "https://cdn.test/2.png", "base64:AAAA"});
  CHECK(urls(R"({"audio_url":"https://cdn.test/s.wav","image_base64":"QUJD"})") ==
        Found{"https://cdn.test/s.wav", "base64:QUJD"});
  // What a worker echoes back (its input, a prompt, undocumented keys, deeper nesting) is not a file.
  CHECK(urls(R"({"video_url":"https://cdn.test/v.mp4","input":{"init_image":"https://victim.test/in.png"},)"
             R"("prompt":"https://victim.test/p","images":["https://victim.test/i.png"],"seed":7})") ==
        Found{"https://cdn.test/v.mp4"});
  CHECK(urls(R"({"a_video":"https://victim.test/v.mp4","thumb_base64":"AAAA"})").empty());
  CHECK(urls(R"([["https://victim.test/nested.png"]])").empty());
  CHECK(urls(R"({"url":{"href":"https://victim.test/x.png"}})").empty());
  CHECK(urls(R"([{"url":"https://cdn.test/1.png","input":{"url":"https://victim.test/echo.png"}}])") ==
        Found{"https://cdn.test/1.png"});
  CHECK(urls(R"("not a file")").empty());
  // At most kMaxOutputs files per job.
  Json many = Json::array();
  for (int i = 0; i < 12; ++i) many.push_back("https://cdn.test/" + std::to_string(i) + ".png");
  CHECK(jobs::find_output_sources(many).size() == jobs::kMaxOutputs);
}
