#include "jobs/submit.hpp"

#include "core/log.hpp"
#include "jobs/outputs.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/queued.hpp"
#include "jobs/store.hpp"
#include "providers/registry.hpp"
#include "providers/replies.hpp"

namespace ag::jobs {
namespace {

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

/// The job handed to the Queue: its consumer submits it from candidate `index` on.
Task<Answer> enqueue(Ctx& ctx, const Submission& job, const Candidate& candidate, std::size_t index) {
  Json message = {
      {"name", kRunQueuedJob}, {"job_id", job.job_id}, {"candidate", index}, {"base_url", job.public_base_url}};
  EffectResult sent = co_await ctx.perform(effect::queue_send(kJobsQueue, message));
  if (sent.failed()) {
    log::error("queue send failed",
               {{"request_id", ctx.request_id()}, {"job_id", job.job_id}, {"error", sent.error_code()}});
    Answer refused{502,
                   {{"ok", false},
                    {"error", "provider_error"},
                    {"message", "the job could not be queued; no credits were kept"},
                    {"job_id", job.job_id}}};
    Json fields = {{"provider", candidate.provider->name()},
                   {"error", {{"stage", "queue"}, {"code", sent.error_code()}}}};
    co_return co_await settle(ctx, job.job_id, "error", std::move(fields), std::move(refused));
  }
  Answer answer{202,
                {{"ok", true},
                 {"status", "queued"},
                 {"provider", candidate.provider->name()},
                 {"provider_job_id", nullptr},
                 {"job_id", job.job_id}}};
  answer.body.update(job.charge);
  co_await enqueued(ctx, job.job_id, answer.status, answer.body);
  co_return answer;
}

}  // namespace

Task<Answer> record_accepted(Ctx& ctx, const Submission& job, const Candidate& candidate,
                             const providers::JobState& state) {
  Answer answer{200,
                {{"ok", true},
                 {"status", "submitted"},
                 {"provider", candidate.provider->name()},
                 {"provider_job_id", state.id},
                 {"job_id", job.job_id},
                 {"result", state.body}}};
  answer.body.update(job.charge);
  co_return co_await settle(ctx, job.job_id, "submitted", accepted_fields(candidate, state), std::move(answer));
}

Task<Answer> record_refused(Ctx& ctx, const Submission& job, const Candidate& candidate, Json error) {
  Answer answer{502,
                {{"ok", false},
                 {"error", "provider_error"},
                 {"message", "the GPU provider did not accept the job; no credits were kept"},
                 {"job_id", job.job_id}}};
  Json fields = {{"provider", candidate.provider->name()}, {"error", std::move(error)}};
  co_return co_await settle(ctx, job.job_id, "error", std::move(fields), std::move(answer));
}

Task<> record_failed(Ctx& ctx, const std::string& job_id, std::string_view source, Json error) {
  Transition change;
  change.job_id = job_id;
  change.to = "failed";
  change.detail = Json{{"source", source}};
  change.fields = Json{{"error", std::move(error)}};
  co_await transition_job(ctx, change);
}

Json provider_input(const Json& payload, const std::string& model, bool fallback) {
  Json input = payload.value("provider_input", Json::object());
  if (fallback)
    input["model"] = model;
  else if (payload.contains("model"))
    input["model"] = payload["model"];
  return input;
}

JobRow submitted_row(const std::string& job_id, const std::string& owner) {
  JobRow job;
  job.id = job_id;
  if (owner != "admin") job.user_id = owner;
  job.status = "submitted";
  return job;
}

std::vector<Candidate> candidates(const Config& config, const JobRoute& route) {
  auto candidate = [&](std::string model, std::string_view provider_name, const std::optional<std::string>& endpoint,
                       const std::optional<std::string>& provider_model) {
    providers::Route where{provider_name, endpoint, provider_model, route.content_type};
    return Candidate{std::move(model), endpoint, providers::configured(config, where)};
  };
  std::vector<Candidate> found;
  const std::string provider = route.provider.value_or(std::string(providers::kDefaultProvider));
  found.push_back(candidate(route.model_id.value_or(""), provider, route.endpoint_id, route.provider_model));
  if (route.fallback_model && route.fallback_provider) {
    Candidate second = candidate(*route.fallback_model, *route.fallback_provider, route.fallback_endpoint_id,
                                 route.fallback_provider_model);
    if (second.provider) found.push_back(std::move(second));
  }
  return found;
}

Json accepted_fields(const Candidate& candidate, const providers::JobState& state) {
  // Where the provider wants the job's later requests (fal: its app), else the model's endpoint.
  auto where = candidate.provider->job_endpoint();
  if (!where) where = candidate.endpoint;
  return {{"provider", candidate.provider->name()},
          {"provider_job_id", state.id},
          {"provider_endpoint_id", where ? Json(*where) : Json(nullptr)},
          {"run_model", candidate.model},
          {"result", state.body}};
}

Task<Tried> try_candidates(Ctx& ctx, const std::vector<Candidate>& candidates, std::size_t first, const Submission& job,
                           bool in_queue) {
  Tried tried;
  for (std::size_t i = first; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    tried.index = i;
    if (candidate.provider->synchronous() && !in_queue) {
      tried.on_queue = true;
      co_return tried;
    }
    const std::string name(candidate.provider->name());
    // No base (a retry run outside any request, PUBLIC_BASE_URL unset): no callback, the job
    // completes by polls and the sweep.
    const std::string callback_url = job.public_base_url.empty() ? ""
                                                                 : job.public_base_url + "/webhooks/" + name + "/" +
                                                                       job.job_id + "?token=" + job.webhook_token;
    effect::FetchSpec request =
        candidate.provider->submit_request(provider_input(job.request, candidate.model, i > 0), callback_url);
    if (request.store) {
      request.store->key_prefix = "outputs/" + job.owner + "/" + job.job_id + "/";
      request.store->max_bytes = stored_reply_max_bytes(ctx.config());
      request.max_bytes = request.store->max_bytes;
    }
    EffectResult reply = co_await ctx.perform(effect::fetch(request));
    if (auto state = candidate.provider->submit_reply(reply)) {
      tried.state = std::move(state);
      co_return tried;
    }

    const int http_status = reply.http_status();
    log::warn("provider submission failed", {{"request_id", ctx.request_id()},
                                             {"provider", name},
                                             {"model", candidate.model},
                                             {"job_id", job.job_id},
                                             {"status", http_status},
                                             {"error", reply.error_code()}});
    // A reply over its cap is the job's fault, not the provider's: its files are not kept.
    const std::string code =
        reply.error_code() == "too_large" && request.store ? "output_too_large" : reply.error_code();
    tried.error = Json{{"stage", "submit"}, {"http_status", http_status}, {"code", code}};
    const bool fall_back = providers::unreachable(reply) && i + 1 < candidates.size();
    if (!fall_back) break;
    Json detail = {{"source", "submit"},        {"attempt", i + 1},     {"provider", name},
                   {"model", candidate.model},  {"outcome", "refused"}, {"http_status", http_status},
                   {"code", reply.error_code()}};
    co_await record_attempt(ctx, job.job_id, detail);
  }
  co_return tried;
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
  Tried tried = co_await try_candidates(ctx, candidates, 0, job, job.in_request);
  const Candidate& last = candidates[tried.index];
  if (tried.on_queue) co_return co_await enqueue(ctx, job, last, tried.index);
  if (tried.state) {
    Answer answer = co_await record_accepted(ctx, job, last, *tried.state);
    // A synchronous provider answered with the finished job: recorded as the consumer would.
    if (ended(*tried.state)) {
      const JobRow submitted = submitted_row(job_id, job.owner);
      co_await apply_provider_state(ctx, *last.provider, submitted, *tried.state, "submit");
    }
    co_return answer;
  }
  co_return co_await record_refused(ctx, job, last, std::move(tried.error));
}

}  // namespace ag::jobs
