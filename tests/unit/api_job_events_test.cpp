// GET /jobs/:id/events: a job's status changes as Server-Sent Events, with scripted rows and a
// driver that plays the client (each `stream.write` is a chunk it receives).
#include <catch2/catch.hpp>

#include "jobs/events.hpp"
#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const std::string kJob = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const std::string kOwner = "11111111-1111-4111-8111-111111111111";
const Driver::Env kEnv = {{"APP_ADMIN_TOKEN", "adm1n"},
                          {"SUPABASE_JWT_SECRET", test::kJwtSecret},
                          {"PUBLIC_BASE_URL", "https://api.example.com"}};

/// A job that goes through `statuses`, one per look at it (the handler's own look first; the last
/// status stays); each change of status is a job_event, numbered from 10. A job without a
/// provider: nothing is polled.
struct Script {
  std::vector<std::string> statuses;
  int looks = 0;
  int sleeps = 0;
  std::int64_t slept_ms = 0;

  int index() const { return std::min<int>(looks, static_cast<int>(statuses.size())) - 1; }
  int event_id() const {
    int id = 10;
    for (int i = 1; i <= index(); ++i) id += statuses[i] != statuses[i - 1] ? 1 : 0;
    return id;
  }

  Responder responder(Driver& driver) {
    return [this, &driver](const Json& effect) {
      if (is_sql(effect, "select id, user_id")) {
        ++looks;
        Json row = {{"id", kJob},
                    {"user_id", kOwner},
                    {"status", statuses[index()]},
                    {"model", "runpod-video"},
                    {"cost_credits", 1},
                    {"webhook_token_hash", "secret-hash"}};
        return rows(Json::array({row}));
      }
      if (is_sql(effect, "select coalesce(max(id), 0) as id from public.job_events"))
        return rows(Json::array({{{"id", std::to_string(event_id())}}}));
      if (effect["op"] == "sleep") {
        ++sleeps;
        slept_ms += effect["ms"].get<std::int64_t>();
        driver.advance_ms(effect["ms"].get<std::int64_t>());
        return Reply{};
      }
      FAIL("unexpected effect " << dump(effect));
      return Reply{};
    };
  }
};

/// The events of a stream's text: [id, name, data].
std::vector<std::tuple<std::string, std::string, Json>> events(const std::string& text) {
  std::vector<std::tuple<std::string, std::string, Json>> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    std::string block = text.substr(at, end - at);
    at = end + 2;
    if (block.starts_with(":")) continue;
    std::string id, name, data;
    std::size_t line_at = 0;
    while (line_at <= block.size()) {
      auto line_end = block.find('\n', line_at);
      std::string line = block.substr(line_at, line_end == std::string::npos ? std::string::npos : line_end - line_at);
      if (line.starts_with("id: ")) id = line.substr(4);
      if (line.starts_with("event: ")) name = line.substr(7);
      if (line.starts_with("data: ")) data = line.substr(6);
      if (line_end == std::string::npos) break;
      line_at = line_end + 1;
    }
    auto parsed = parse_json(data);
    REQUIRE(parsed.has_value());
    out.emplace_back(id, name, *parsed);
  }
  return out;
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("GET /jobs/:id/events streams each status as the job shows, the finished job last", "[jobs][events]") {
  Driver driver(kEnv);
  Script script{{"queued", "queued", "running", "running", "completed"}};
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner)}, script.responder(driver));
  REQUIRE(out.status() == 200);
  CHECK(out.header("content-type") == "text/event-stream; charset=utf-8");
  CHECK(out.header("x-request-id").has_value());
  CHECK(out.response["body"] == Json{{"stream", true}});
  auto seen = events(out.streamed);
  REQUIRE(seen.size() == 3);
  CHECK(std::get<0>(seen[0]) == "10");
  CHECK(std::get<1>(seen[0]) == "status");
  CHECK(std::get<2>(seen[0])["status"] == "queued");
  CHECK(std::get<0>(seen[1]) == "11");
  CHECK(std::get<2>(seen[1])["status"] == "running");
  CHECK(std::get<0>(seen[2]) == "12");
  CHECK(std::get<2>(seen[2])["status"] == "completed");
  CHECK(std::get<2>(seen[2])["job_id"] == kJob);
  CHECK_FALSE(std::get<2>(seen[2]).contains("webhook_token_hash"));
  // The handler's look, then the stream's: at once, after 0.25 s, 0.5 s, then every second.
  CHECK(script.looks == 5);
  CHECK(script.slept_ms == 250 + 500 + 1000);
  CHECK(driver.live_tasks() == 0);
}

TEST_CASE("GET /jobs/:id/events after Last-Event-ID sends only what the client missed", "[jobs][events]") {
  Driver driver(kEnv);
  Script script{{"running", "running", "completed"}};
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner), {"last-event-id", "10"}},
                        script.responder(driver));
  REQUIRE(out.status() == 200);
  auto seen = events(out.streamed);
  REQUIRE(seen.size() == 1);
  CHECK(std::get<0>(seen[0]) == "11");
  CHECK(std::get<2>(seen[0])["status"] == "completed");

  // A malformed id is no id: the client hears the job from its current status.
  Script fresh{{"completed"}};
  auto again = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner), {"last-event-id", "x1"}},
                          fresh.responder(driver));
  CHECK(events(again.streamed).size() == 1);
}

TEST_CASE("GET /jobs/:id/events answers 204 to a client that has the finished job's last event", "[jobs][events]") {
  Driver driver(kEnv);
  Script script{{"completed"}};
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner), {"last-event-id", "10"}},
                        script.responder(driver));
  CHECK(out.status() == 204);
  CHECK(out.streamed.empty());
  CHECK(out.effects.size() == 2);  // the job, its latest event
}

TEST_CASE("GET /jobs/:id/events keeps an idle stream alive and closes it after its bound", "[jobs][events]") {
  Driver driver(kEnv);
  Script script{{"queued"}};
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner)}, script.responder(driver));
  REQUIRE(out.status() == 200);
  CHECK(events(out.streamed).size() == 1);
  // Each look is at most a second apart (and a few ms of steps): a comment every 15 s or so.
  const auto comments = count(out.streamed, ": keep-alive\n\n");
  CHECK(comments >= jobs::kEventStreamMs / jobs::kKeepAliveMs - 1);
  CHECK(comments <= jobs::kEventStreamMs / jobs::kKeepAliveMs);
  CHECK(script.slept_ms >= jobs::kEventStreamMs * 9 / 10);  // the steps' own 5 ms make up the rest
  CHECK(script.slept_ms <= jobs::kEventStreamMs);
  CHECK(driver.live_tasks() == 0);
}

TEST_CASE("GET /jobs/:id/events stops once the client has gone", "[jobs][events]") {
  Driver driver(kEnv);
  driver.close_stream_after(1);
  Script script{{"queued", "queued", "running"}};
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner)}, script.responder(driver));
  CHECK(events(out.streamed).size() == 1);
  CHECK(script.looks == 3);  // the write of the stream's second look failed: nothing more was read
  CHECK(driver.live_tasks() == 0);
}

TEST_CASE("GET /jobs/:id/events is the owner's or an admin's", "[jobs][events]") {
  Driver driver(kEnv);
  Script script{{"completed"}};
  CHECK(driver.get("/jobs/" + kJob + "/events").status() == 401);
  CHECK(driver
            .get("/jobs/" + kJob + "/events", {test::user_auth("22222222-2222-4222-8222-222222222222")},
                 script.responder(driver))
            .status() == 404);
  CHECK(driver.get("/jobs/" + kJob + "/events", {test::kAdminAuth}, script.responder(driver)).status() == 200);
}

TEST_CASE("GET /jobs/:id/events sends the provider's reports between statuses as progress events", "[jobs][events]") {
  Driver driver({{"APP_ADMIN_TOKEN", "adm1n"},
                 {"SUPABASE_JWT_SECRET", test::kJwtSecret},
                 {"RUNPOD_API_KEY", "rp-key"},
                 {"RUNPOD_ENDPOINT_ID", "ep1"},
                 {"RUNPOD_API_BASE", "http://rp.test"}});
  driver.close_stream_after(2);  // the client reads the status and one progress event
  const std::vector<std::string> reports = {R"({"id":"rp-1","status":"IN_PROGRESS","output":"step 1 of 3"})",
                                            R"({"id":"rp-1","status":"IN_PROGRESS","output":"step 1 of 3"})",
                                            R"({"id":"rp-1","status":"IN_PROGRESS","output":"step 2 of 3"})",
                                            R"({"id":"rp-1","status":"IN_PROGRESS","output":"step 3 of 3"})"};
  std::size_t polls = 0;
  auto respond = [&](const Json& effect) {
    if (is_sql(effect, "select id, user_id"))
      return rows(Json::array({{{"id", kJob},
                                {"user_id", kOwner},
                                {"status", "running"},
                                {"provider", "runpod"},
                                {"provider_job_id", "rp-1"},
                                {"cost_credits", 1}}}));
    if (is_sql(effect, "select coalesce(max(id), 0) as id from public.job_events"))
      return rows(Json::array({{{"id", "7"}}}));
    if (effect["op"] == "sleep") return Reply{};
    if (effect["op"] == "fetch") {
      CHECK(effect["url"] == "http://rp.test/ep1/status/rp-1");
      const std::string& body = reports.at(std::min(polls++, reports.size() - 1));
      return Reply{{{"status", 200}, {"headers", Json::array()}, {"has_body", true}}, body};
    }
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto out = driver.get("/jobs/" + kJob + "/events", {test::user_auth(kOwner)}, respond);
  REQUIRE(out.status() == 200);
  auto seen = events(out.streamed);
  REQUIRE(seen.size() == 2);
  CHECK(std::get<1>(seen[0]) == "status");
  CHECK(std::get<2>(seen[0])["result"]["output"] == "step 1 of 3");
  CHECK(std::get<0>(seen[1]).empty());  // no id: Last-Event-ID stays the status event's
  CHECK(std::get<1>(seen[1]) == "progress");
  CHECK(std::get<2>(seen[1]) ==
        Json{{"job_id", kJob},
             {"status", "running"},
             {"result", {{"id", "rp-1"}, {"status", "IN_PROGRESS"}, {"output", "step 2 of 3"}}}});
  CHECK(polls == 4);  // the unchanged second report sent nothing; the fourth found the client gone
}
