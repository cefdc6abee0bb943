#include "jobs/submit.hpp"

#include "core/log.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {
namespace {

/// What the provider receives: the caller's `input`, with the prompt (and model) on top.
Json provider_input(const Json& request) {
  Json input = request.contains("input") ? request["input"] : Json::object();
  input["prompt"] = request["prompt"];
  if (request.contains("model")) input["model"] = request["model"];
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

}  // namespace

Task<Answer> submit(Ctx& ctx, const providers::Provider* provider, const std::string& job_id, const Json& request,
                    const std::string& callback_url) {
  if (!provider) {
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
  const std::string name(provider->name());
  EffectResult reply =
      co_await ctx.perform(effect::fetch(provider->submit_request(provider_input(request), callback_url)));
  auto state = provider->submit_reply(reply);
  if (!state) {
    const int http_status = reply.http_status();
    log::warn("provider submission failed", {{"request_id", ctx.request_id()},
                                             {"provider", name},
                                             {"job_id", job_id},
                                             {"status", http_status},
                                             {"error", reply.error_code()}});
    Json error = {{"stage", "submit"}, {"http_status", http_status}, {"code", reply.error_code()}};
    Answer answer{502,
                  {{"ok", false},
                   {"error", "provider_error"},
                   {"message", "the GPU provider did not accept the job; no credits were kept"},
                   {"job_id", job_id}}};
    Json fields = {{"provider", name}, {"error", std::move(error)}};
    co_return co_await settle(ctx, job_id, "error", std::move(fields), std::move(answer));
  }
  Answer answer{200,
                {{"ok", true},
                 {"status", "submitted"},
                 {"provider", name},
                 {"provider_job_id", state->id},
                 {"job_id", job_id},
                 {"result", state->body}}};
  Json fields = {{"provider", name}, {"provider_job_id", state->id}, {"result", state->body}};
  co_return co_await settle(ctx, job_id, "submitted", std::move(fields), std::move(answer));
}

}  // namespace ag::jobs
