#include "jobs/provider_state.hpp"

#include "jobs/lifecycle.hpp"
#include "jobs/outputs.hpp"
#include "jobs/queued.hpp"
#include "jobs/settlement.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"

namespace ag::jobs {

std::unique_ptr<providers::Provider> provider_for_job(const Config& config, const Json& row) {
  auto name = string_field(row, "provider");
  if (!name || !string_field(row, "provider_job_id")) return nullptr;
  return providers::configured(config, {*name, string_field(row, "provider_endpoint_id")});
}

bool ended(const providers::JobState& state) { return state.status && !is_open(*state.status); }

Json shown_result(const providers::JobState& state, std::string_view recorded_status) {
  Json shown = state.body;
  if (ended(state) && recorded_status != "completed") shown.erase("output");
  return shown;
}

Task<Json> apply_provider_state(Ctx& ctx, const providers::Provider& provider, const Json& row,
                                const providers::JobState& state, std::string_view source) {
  if (!state.status) co_return Json{{"applied", false}, {"status", row.value("status", Json(nullptr))}};
  const std::string& next = *state.status;
  // A failed generation may run again (the model's max_attempts), except when a cancel is what
  // found it failed.
  if (next == "failed" && source != "cancel" && is_open(string_field(row, "status").value_or(""))) {
    const bool again = co_await retried(ctx, string_field(row, "id").value_or(""), state, source);
    if (again) co_return Json{{"applied", true}, {"status", "queued"}, {"retried", true}};
  }
  Transition change;
  change.job_id = string_field(row, "id").value_or("");
  change.detail = Json{{"source", source}, {"provider_status", state.provider_status}};
  change.fields = Json{{"provider_job_id", state.id}, {"result", state.body}};
  // A provider's callback can overtake POST /jobs recording the submission: the lifecycle has
  // no shortcut from queued, so record `submitted` first.
  if (string_field(row, "status") == "queued" && next != "submitted") {
    change.to = "submitted";
    co_await transition_job(ctx, change);
  }
  // A completed job carries its files from the moment it is completed: they are copied first
  // (when a webhook and a poll race, both copy the same files to the same keys, and one
  // transition applies).
  Json output = provider.output(state);
  if (next == "completed" && is_open(string_field(row, "status").value_or(""))) {
    Json outputs = state.files;  // what the reply itself stored (a synchronous provider's)
    if (!output.is_null()) {
      std::string owner = string_field(row, "user_id").value_or("admin");
      Json copied = co_await copy_outputs(ctx, owner, change.job_id, output);
      for (Json& file : copied) outputs.push_back(std::move(file));
    }
    if (!outputs.empty()) change.fields["outputs"] = std::move(outputs);
    const Json usage = provider.usage(state);
    change.charged_credits = co_await settled_price(ctx, change.job_id, usage);
  }
  change.to = next;
  Json applied = co_await transition_job(ctx, change);
  if (applied.value("applied", false) && change.fields.contains("outputs"))
    applied["outputs"] = change.fields["outputs"];
  co_return applied;
}

}  // namespace ag::jobs
