#include "jobs/provider_state.hpp"

#include "jobs/lifecycle.hpp"
#include "jobs/outputs.hpp"
#include "jobs/queued.hpp"
#include "jobs/settlement.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"

namespace ag::jobs {

std::unique_ptr<providers::Provider> provider_for_job(const Config& config, const JobRow& job) {
  if (!job.provider || !job.provider_job_id) return nullptr;
  return providers::configured(config, {*job.provider, job.provider_endpoint_id});
}

bool ended(const providers::JobState& state) { return state.status && !is_open(*state.status); }

Json shown_result(const providers::JobState& state, std::string_view recorded_status) {
  Json shown = state.body;
  if (ended(state) && recorded_status != "completed") shown.erase("output");
  return shown;
}

Task<AppliedState> apply_provider_state(Ctx& ctx, const providers::Provider& provider, const JobRow& job,
                                        const providers::JobState& state, std::string_view source) {
  AppliedState applied;
  applied.status = job.status;
  if (!state.status) co_return applied;
  const std::string& next = *state.status;
  // A failed generation may run again (the model's max_attempts), except when a cancel is what
  // found it failed.
  if (next == "failed" && source != "cancel" && is_open(job.status)) {
    const bool again = co_await retried(ctx, job.id, state, source);
    if (again) {
      applied.applied = applied.retried = true;
      applied.status = "queued";
      co_return applied;
    }
  }
  Transition change;
  change.job_id = job.id;
  change.detail = Json{{"source", source}, {"provider_status", state.provider_status}};
  change.fields = Json{{"provider_job_id", state.id}, {"result", state.body}};
  // A provider's callback can overtake POST /jobs recording the submission: the lifecycle has
  // no shortcut from queued, so record `submitted` first.
  if (job.status == "queued" && next != "submitted") {
    change.to = "submitted";
    co_await transition_job(ctx, change);
  }
  // A completed job carries its files from the moment it is completed: they are copied first
  // (when a webhook and a poll race, both copy the same files to the same keys, and one
  // transition applies).
  Json output = provider.output(state);
  if (next == "completed" && is_open(job.status)) {
    Json outputs = state.files;  // what the reply itself stored (a synchronous provider's)
    if (!output.is_null()) {
      Json copied = co_await copy_outputs(ctx, job.owner(), change.job_id, output);
      for (Json& file : copied) outputs.push_back(std::move(file));
    }
    if (!outputs.empty()) change.fields["outputs"] = std::move(outputs);
    const Json usage = provider.usage(state);
    change.charged_credits = co_await settled_price(ctx, change.job_id, usage);
  }
  change.to = next;
  TransitionOutcome outcome = co_await transition_job(ctx, change);
  static_cast<TransitionOutcome&>(applied) = outcome;
  if (applied.applied && change.fields.contains("outputs")) applied.outputs = change.fields["outputs"];
  co_return applied;
}

}  // namespace ag::jobs
