#include "jobs/provider_state.hpp"

#include "db/query.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/outputs.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

std::optional<runpod::Settings> runpod_for_job(const Config& config, const Json& row) {
  auto settings = runpod::settings(config);
  if (!settings || string_field(row, "provider") != "runpod" || !string_field(row, "provider_job_id")) return std::nullopt;
  return runpod::at_endpoint(std::move(*settings), string_field(row, "provider_endpoint_id"));
}

Json shown_result(const runpod::JobState& state, std::string_view recorded_status) {
  Json shown = state.body;
  const bool provider_open = is_open(runpod::lifecycle_status(state.status).value_or("submitted"));
  if (!provider_open && recorded_status != "completed") shown.erase("output");
  return shown;
}

Task<Json> apply_provider_state(Ctx& ctx, const Json& row, const runpod::JobState& state, std::string_view source) {
  auto next = runpod::lifecycle_status(state.status);
  if (!next) co_return Json{{"applied", false}, {"status", row.value("status", Json(nullptr))}};
  Transition change;
  change.job_id = string_field(row, "id").value_or("");
  change.detail = Json{{"source", source}, {"provider_status", state.status}};
  change.fields = Json{{"provider_job_id", state.id}, {"result", state.body}};
  // RunPod's callback can overtake POST /jobs recording the submission: the lifecycle has no
  // shortcut from queued, so record `submitted` first.
  if (string_field(row, "status") == "queued" && *next != "submitted") {
    change.to = "submitted";
    co_await transition_job(ctx, change);
  }
  change.to = *next;
  Json applied = co_await transition_job(ctx, change);
  if (!applied.value("applied", false) || *next != "completed" || !state.body.contains("output")) co_return applied;

  std::string owner = string_field(row, "user_id").value_or("admin");
  Json outputs = co_await copy_outputs(ctx, owner, change.job_id, state.body["output"]);
  if (outputs.empty()) co_return applied;
  Json params = Json::array({change.job_id, dump(Json{{"outputs", outputs}})});
  co_await db::query(ctx, "select updated, status from public.update_job_fields($1::uuid, $2::jsonb)", std::move(params));
  applied["outputs"] = std::move(outputs);
  co_return applied;
}

}  // namespace ag::jobs
