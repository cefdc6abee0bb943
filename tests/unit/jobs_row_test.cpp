#include <catch2/catch.hpp>

#include "jobs/job_row.hpp"
#include "jobs/view.hpp"

using namespace ag;

TEST_CASE("a job row decodes once: bigint text, null columns, the Queue flag", "[jobs][row]") {
  const Json row = Json::parse(R"({"id":"j-1","user_id":null,"status":"queued","model":"flux",
    "cost_credits":"9007199254740993","charged_credits":null,"provider":"runpod","provider_job_id":null,
    "outputs":[{"key":"k"}],"created_at":"2026-12-07T10:00:00.000Z","enqueued_at":"2026-12-07T10:00:01.000Z",
    "webhook_token_hash":"abc"})");
  const jobs::JobRow job = jobs::JobRow::from(row);
  CHECK(job.id == "j-1");
  CHECK_FALSE(job.user_id);
  CHECK(job.owner() == "admin");
  CHECK(job.cost_credits == 9007199254740993);
  CHECK_FALSE(job.charged_credits);
  CHECK(job.provider == "runpod");
  CHECK_FALSE(job.provider_job_id);
  CHECK(job.on_queue);
  CHECK(job.result.is_null());

  // Shown without internals, every field present (null when not known).
  const Json view = jobs::job_view(job);
  CHECK_FALSE(view.contains("webhook_token_hash"));
  CHECK_FALSE(view.contains("id"));
  CHECK(view["job_id"] == "j-1");
  CHECK(view["user_id"].is_null());
  CHECK(view["cost_credits"] == 9007199254740993);
  CHECK(view["charged_credits"].is_null());
  CHECK(view["finished_at"].is_null());
  CHECK(view["run_model"].is_null());
  CHECK(view["outputs"] == Json::parse(R"([{"key":"k"}])"));

  CHECK_FALSE(jobs::JobRow::from(Json::parse(R"({"id":"j-2","status":"queued","enqueued_at":null})")).on_queue);
  CHECK(jobs::JobRow::from(Json::parse(R"({"id":"j-3","status":"queued","on_queue":true})")).on_queue);
}
