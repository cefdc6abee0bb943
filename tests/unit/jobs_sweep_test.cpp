#include <catch2/catch.hpp>

#include "support/driver.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const Driver::Env kRunPod = {
    {"RUNPOD_API_KEY", "rp-key"}, {"RUNPOD_ENDPOINT_ID", "ep1"}, {"RUNPOD_API_BASE", "http://rp.test"}};

Json job(std::string id, std::string status, std::string provider_job_id = "") {
  Json row = {{"id", id}, {"status", status}, {"provider", "runpod"}, {"provider_job_id", nullptr}};
  if (!provider_job_id.empty()) row["provider_job_id"] = provider_job_id;
  return row;
}
}  // namespace

TEST_CASE("the cron sweep times out, polls stale jobs concurrently and prunes keys", "[jobs][sweep]") {
  Driver driver(kRunPod);
  std::vector<std::pair<std::string, std::string>> transitions;
  auto respond = [&](const Json& effect) -> Reply {
    if (effect["op"] == "fetch") {
      std::string url = effect["url"];
      if (url.find("/status/rp-done") != std::string::npos)
        return Reply{{{"status", 200}, {"has_body", true}}, R"({"id":"rp-done","status":"FAILED","error":"oom"})"};
      if (url.find("/status/rp-same") != std::string::npos || url.find("/status/rp-late") != std::string::npos)
        return Reply{{{"status", 200}, {"has_body", true}}, R"({"id":"rp-same","status":"IN_PROGRESS"})"};
      return Reply{{{"status", 500}, {"has_body", true}}, "down"};
    }
    if (is_sql(effect, "select id, user_id, status, provider, provider_job_id, provider_endpoint_id")) {
      bool deadline = effect["query"].get<std::string>().find("deadline_at < now()") != std::string::npos;
      Json late = job("j-late", "running", "rp-late");
      late["provider_endpoint_id"] = "ep-own";  // its model's endpoint, not RUNPOD_ENDPOINT_ID
      if (deadline) return rows(Json::array({late}));
      return rows(Json::array({job("j-queued", "queued"), job("j-done", "running", "rp-done"),
                               job("j-same", "running", "rp-same"), job("j-lost", "submitted", "rp-lost")}));
    }
    if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job")) {
      transitions.emplace_back(effect["params"][0], effect["params"][1]);
      return rows(Json::array({{{"applied", true}, {"status", effect["params"][1]}, {"refunded", 1}}}));
    }
    if (is_sql(effect, "select updated, status from public.update_job_fields"))
      return rows(Json::array({{{"updated", true}}}));
    if (is_sql(effect, "select public.prune_idempotency_keys")) return rows(Json::array({{{"deleted", 3}}}));
    if (is_sql(effect, "select public.retry_job")) return rows(Json::array({{{"retried", false}}}));
    if (is_sql(effect, "select * from public.claim_job_webhooks")) return rows(Json::array());
    if (is_sql(effect, "select id, keys from public.jobs_with_expired_outputs")) return rows(Json::array());
    if (is_sql(effect, "select public.prune_job_events")) return rows(Json::array({{{"deleted", 0}}}));
    FAIL("unexpected effect " << dump(effect));
    return Reply{};
  };
  auto out = driver.scheduled("*/5 * * * *", respond);

  using Change = std::pair<std::string, std::string>;
  CHECK(transitions == std::vector<Change>{{"j-late", "timed_out"}, {"j-queued", "error"}, {"j-done", "failed"}});
  // The late job is polled before it is timed out; the stale jobs' three polls left together.
  std::size_t polls = 0;
  for (const Json& effect : out.effects) polls += effect["op"] == "fetch" && effect["method"] == "GET";
  CHECK(polls == 4);
  // The late job is cancelled at RunPod after the fact, at its own endpoint.
  std::vector<Json> cancels, deliveries;
  for (const Json& effect : out.deferred) (effect["op"] == "queue.send" ? deliveries : cancels).push_back(effect);
  REQUIRE(cancels.size() == 1);
  CHECK(cancels[0]["url"] == "http://rp.test/ep-own/cancel/rp-late");
  // Each job the sweep finished puts its webhook delivery on the Queue.
  REQUIRE(deliveries.size() == 3);
  CHECK(deliveries[0]["body"]["name"] == "deliver_job_webhooks");
  CHECK(deliveries[0]["body"]["job_id"] == "j-late");
  CHECK(out.background.empty());
  bool touched = false;
  for (const Json& effect : out.effects)
    touched = touched || (is_sql(effect, "select updated") && effect["params"][0] == "j-same");
  CHECK(touched);
}

TEST_CASE("the cron sweep without RunPod still times out and errors stuck jobs", "[jobs][sweep]") {
  Driver driver;
  int fetches = 0;
  auto out = driver.scheduled("*/5 * * * *", [&](const Json& effect) -> Reply {
    if (effect["op"] == "fetch") ++fetches;
    if (is_sql(effect, "select id, user_id, status")) return rows(Json::array({job("j-1", "submitted", "rp-1")}));
    if (is_sql(effect, "select applied")) return rows(Json::array({{{"applied", false}, {"status", "completed"}}}));
    return rows(Json::array());
  });
  CHECK(fetches == 0);
  CHECK(out.deferred.empty());  // not applied: nothing to cancel
}

TEST_CASE("the cron sweep records a late job RunPod finished instead of timing it out", "[jobs][sweep]") {
  Driver driver(kRunPod);
  std::vector<std::string> transitions;
  auto out = driver.scheduled("*/5 * * * *", [&](const Json& effect) -> Reply {
    if (effect["op"] == "fetch")
      return Reply{{{"status", 200}, {"has_body", true}}, R"({"id":"rp-late","status":"FAILED","error":"oom"})"};
    if (is_sql(effect, "select id, user_id, status") &&
        effect["query"].get<std::string>().find("deadline_at") != std::string::npos)
      return rows(Json::array({job("j-late", "running", "rp-late")}));
    if (is_sql(effect, "select applied")) {
      transitions.push_back(effect["params"][1]);
      return rows(Json::array({{{"applied", true}, {"status", effect["params"][1]}, {"refunded", 1}}}));
    }
    return rows(Json::array());
  });
  CHECK(transitions == std::vector<std::string>{"failed"});
  // Nothing to cancel at RunPod: the one effect after the run is the job's webhook delivery.
  REQUIRE(out.deferred.size() == 1);
  CHECK(out.deferred[0]["op"] == "queue.send");
}

namespace {
/// The sweep's retention pass, scripted: jobs whose files are due, R2 and the SQL that follow.
struct RetentionScript {
  Json due = Json::array();
  bool r2_fails = false;
  std::vector<Json> sql;  // the retention statements run, in order
  std::vector<Json> deleted_keys;

  Reply operator()(const Json& effect) {
    if (effect["op"] == "r2.delete") {
      deleted_keys.push_back(effect["keys"]);
      if (r2_fails) return Reply{{{"error", {{"code", "r2_error"}}}}};
      return Reply{Json::object()};
    }
    if (is_sql(effect, "select id, keys from public.jobs_with_expired_outputs")) {
      sql.push_back(effect);
      return rows(due);
    }
    if (is_sql(effect, "select public.expire_job_outputs")) {
      sql.push_back(effect);
      return rows(Json::array({{{"expired", 2}}}));
    }
    if (is_sql(effect, "select public.prune_job_events")) {
      sql.push_back(effect);
      return rows(Json::array({{{"deleted", 5}}}));
    }
    return rows(Json::array());
  }
};

Json cron_summary(const testing::Outcome& out) {
  for (const Json& entry : out.logs)
    if (entry.value("msg", "") == "cron") return entry["sweep"];
  return nullptr;
}
}  // namespace

TEST_CASE("the cron sweep deletes the files of jobs past OUTPUT_RETENTION_DAYS, a batch per run",
          "[jobs][sweep][retention]") {
  Driver driver({{"OUTPUT_RETENTION_DAYS", "7"}});
  RetentionScript script;
  script.due = Json::array({{{"id", "j-1"}, {"keys", Json::array({"outputs/u/j-1/1.png", "outputs/u/j-1/2.mp4"})}},
                            {{"id", "j-2"}, {"keys", Json::array({"outputs/u/j-2/1.wav"})}}});
  auto out = driver.scheduled("*/5 * * * *", std::ref(script));
  REQUIRE(script.sql.size() == 3);
  CHECK(script.sql[0]["params"] == Json::array({7, 50}));  // the days, the batch
  // One R2 call for the batch's files, then the jobs are marked.
  REQUIRE(script.deleted_keys.size() == 1);
  CHECK(script.deleted_keys[0] == Json::array({"outputs/u/j-1/1.png", "outputs/u/j-1/2.mp4", "outputs/u/j-2/1.wav"}));
  CHECK(*parse_json(script.sql[1]["params"][0].get<std::string>()) == Json::array({"j-1", "j-2"}));
  // Job events older than 90 days, at most 1000 per run.
  CHECK(script.sql[2]["params"] == Json::array({"90 days", 1000}));
  Json summary = cron_summary(out);
  CHECK(summary["outputs_expired"] == 2);
  CHECK(summary["output_files_deleted"] == 3);
  CHECK(summary["job_events_pruned"] == 5);
}

TEST_CASE("retention: files R2 could not delete stay listed; 0 days keeps outputs", "[jobs][sweep][retention]") {
  Driver driver;  // the default: 30 days
  RetentionScript failing;
  failing.due = Json::array({{{"id", "j-1"}, {"keys", Json::array({"outputs/u/j-1/1.png"})}}});
  failing.r2_fails = true;
  auto out = driver.scheduled("*/5 * * * *", std::ref(failing));
  REQUIRE(failing.sql.size() == 2);  // no expire_job_outputs: the next run tries again
  CHECK(failing.sql[0]["params"][0] == 30);
  CHECK(is_sql(failing.sql[1], "select public.prune_job_events"));
  CHECK(cron_summary(out)["outputs_expired"] == 0);

  Driver keep({{"OUTPUT_RETENTION_DAYS", "0"}});
  RetentionScript kept;
  keep.scheduled("*/5 * * * *", std::ref(kept));
  REQUIRE(kept.sql.size() == 1);
  CHECK(is_sql(kept.sql[0], "select public.prune_job_events"));
  CHECK(kept.deleted_keys.empty());
}
