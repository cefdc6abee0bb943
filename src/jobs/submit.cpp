#include "jobs/submit.hpp"

#include "core/log.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"
#include "providers/replies.hpp"

namespace ag::jobs {
namespace {

/// What the provider receives: the caller's `input`, with the prompt on top, and the model
/// that runs it when the caller named one (or a fallback runs it).
Json provider_input(const Json& request, const std::string& model, bool fallback) {
  Json input = request.contains("input") ? request["input"] : Json::object();
  input["prompt"] = request["prompt"];
  if (fallback)
    input["model"] = model;
  else if (request.contains("model"))
    input["model"] = request["model"];
  return input;
}

/// Records the job's first real status together with the answer replays will get.
Task<Answer> settle(Ctx& ctx, const std::string& job_id, std::string to, Json fields, Answer answer) {
  Transition transition;
  transition.job_id = job_id;
  transition.to = std::move(to);
  transition.detail = Json{{"source", "submit"}};
  transition.fields = std::move(fields);
  transition.response_status = answer.status;
  transition.response_body = answer.body;
  co_await transition_job(ctx, transition);
  co_return answer;
}

/// The job accepted by `candidate`: recorded with the provider, endpoint and model that run it.
Task<Answer> accepted(Ctx& ctx, const std::string& job_id, const Candidate& candidate,
                      const providers::JobState& state) {
  const std::string name(candidate.provider->name());
  Answer answer{200,
                {{"ok", true},
                 {"status", "submitted"},
                 {"provider", name},
                 {"provider_job_id", state.id},
                 {"job_id", job_id},
                 {"result", state.body}}};
  auto where = candidate.provider->job_endpoint();
  if (!where) where = candidate.endpoint;
  Json endpoint = where ? Json(*where) : Json(nullptr);
  Json fields = {{"provider", name},
                 {"provider_job_id", state.id},
                 {"provider_endpoint_id", std::move(endpoint)},
                 {"run_model", candidate.model},
                 {"result", state.body}};
  co_return co_await settle(ctx, job_id, "submitted", std::move(fields), std::move(answer));
}

}  // namespace

std::vector<Candidate> candidates(const Config& config, const Json& created) {
  auto candidate = [&](const std::string& prefix, std::string model, std::string_view provider_name) {
    auto endpoint = string_field(created, prefix + "endpoint_id");
    providers::Route route{provider_name, endpoint, string_field(created, prefix + "provider_model")};
    return Candidate{std::move(model), std::move(endpoint), providers::configured(config, route)};
  };
  std::vector<Candidate> found;
  const std::string provider =
      string_field(created, "model_provider").value_or(std::string(providers::kDefaultProvider));
  found.push_back(candidate("model_", string_field(created, "model_id").value_or(""), provider));
  auto fallback = string_field(created, "fallback_model");
  auto fallback_provider = string_field(created, "fallback_provider");
  if (fallback && fallback_provider) {
    Candidate second = candidate("fallback_", *fallback, *fallback_provider);
    if (second.provider) found.push_back(std::move(second));
  }
  return found;
}

Task<Answer> submit(Ctx& ctx, std::vector<Candidate> candidates, const Submission& job) {
  const std::string& job_id = job.job_id;
  if (candidates.empty() || !candidates[0].provider) {
    // NOTE: arguments built before the co_await: GCC 12 rejects or miscompiles braced
    // temporaries inside one.
    Answer answer{202,
                  {{"ok", true},
                   {"status", "submitted"},
                   {"provider", "noop"},
                   {"provider_job_id", nullptr},
                   {"job_id", job_id},
                   {"message", "runpod_not_configured"}}};
    Json fields = {{"provider", "noop"}};
    co_return co_await settle(ctx, job_id, "noop", std::move(fields), std::move(answer));
  }
  Json error;
  std::string name;
  for (std::size_t attempt = 0; attempt < candidates.size(); ++attempt) {
    const Candidate& candidate = candidates[attempt];
    name = std::string(candidate.provider->name());
    const std::string callback_url =
        job.public_base_url + "/webhooks/" + name + "/" + job_id + "?token=" + job.webhook_token;
    const Json input = provider_input(job.request, candidate.model, attempt > 0);
    EffectResult reply = co_await ctx.perform(effect::fetch(candidate.provider->submit_request(input, callback_url)));
    if (auto state = candidate.provider->submit_reply(reply))
      co_return co_await accepted(ctx, job_id, candidate, *state);

    const int http_status = reply.http_status();
    log::warn("provider submission failed", {{"request_id", ctx.request_id()},
                                             {"provider", name},
                                             {"model", candidate.model},
                                             {"job_id", job_id},
                                             {"status", http_status},
                                             {"error", reply.error_code()}});
    error = Json{{"stage", "submit"}, {"http_status", http_status}, {"code", reply.error_code()}};
    const bool fall_back = providers::unreachable(reply) && attempt + 1 < candidates.size();
    if (!fall_back) break;
    Json detail = {{"source", "submit"},        {"attempt", attempt + 1}, {"provider", name},
                   {"model", candidate.model},  {"outcome", "refused"},   {"http_status", http_status},
                   {"code", reply.error_code()}};
    co_await record_attempt(ctx, job_id, detail);
  }
  Answer answer{502,
                {{"ok", false},
                 {"error", "provider_error"},
                 {"message", "the GPU provider did not accept the job; no credits were kept"},
                 {"job_id", job_id}}};
  Json fields = {{"provider", name}, {"error", std::move(error)}};
  co_return co_await settle(ctx, job_id, "error", std::move(fields), std::move(answer));
}

}  // namespace ag::jobs
