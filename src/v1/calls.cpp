#include "v1/calls.hpp"

#include "core/effects.hpp"
#include "core/log.hpp"
#include "http/event_stream.hpp"
#include "http/idempotency.hpp"
#include "jobs/start.hpp"
#include "jobs/streamed.hpp"
#include "jobs/wait.hpp"
#include "v1/chat_stream.hpp"
#include "v1/replies.hpp"

namespace ag::v1 {
namespace {

constexpr std::uint64_t kMaxTextReply = 1 << 20;

ApiError with_job(ApiError error, const std::string& job_id) {
  error.extra["job_id"] = job_id;
  return error;
}

/// The refusal a POST /jobs error answer (a submission no provider accepted) spells.
ApiError refusal_of(const jobs::Answer& answer) {
  ApiError error = errors::make(answer.status, string_field(answer.body, "error").value_or("provider_error"),
                                string_field(answer.body, "message").value_or("the job was refused"));
  for (const auto& [key, value] : answer.body.items())
    if (key != "ok" && key != "error" && key != "message") error.extra[key] = value;
  return error;
}

/// The job `call` asks for, recorded with its credits reserved, not yet submitted (or the
/// replay of its Idempotency-Key). Raises 400 for a refused request, what POST /jobs raises.
Task<jobs::Created> created_job(Ctx& ctx, const Request& request, const auth::User& user, const JobBody& call) {
  if (!call.problem.empty()) co_await ctx.raise(errors::invalid_request(call.problem));
  std::optional<std::string> key = co_await http::idempotency_key(ctx, request);
  const auth::Caller caller{false, user};
  co_return co_await jobs::create(ctx, caller, request, call.body, key);
}

/// The created job submitted within the request and waited for, once completed.
Task<jobs::JobRow> completed(Ctx& ctx, jobs::Created created) {
  jobs::Started started = co_await jobs::submit_created(ctx, std::move(created), true);
  if (started.answer.status >= 400) co_await ctx.raise(refusal_of(started.answer));
  if (started.answer.body.value("provider", "") == "noop") co_await ctx.raise(errors::model_unavailable());
  const auto wait_s = static_cast<int>(ctx.config().get_uint("V1_WAIT_SECONDS", 300, 1, 600));
  std::optional<jobs::JobRow> ended = co_await jobs::ended_within(ctx, started.job_id, wait_s);
  if (!ended) {
    ApiError late = errors::make(504, "job_still_running",
                                 "the job is still running after " + std::to_string(wait_s) + " s: GET /jobs/" +
                                     started.job_id + " shows it and its outputs once it ends");
    co_await ctx.raise(with_job(std::move(late), started.job_id));
  }
  if (ended->status != "completed") {
    ApiError failed =
        errors::make(502, "generation_failed", "the job ended " + ended->status + "; its credits were refunded");
    co_await ctx.raise(with_job(std::move(failed), started.job_id));
  }
  co_return std::move(*ended);
}

}  // namespace

Task<jobs::JobRow> completed_job(Ctx& ctx, const Request& request, const auth::User& user, const JobBody& call) {
  jobs::Created created = co_await created_job(ctx, request, user, call);
  co_return co_await completed(ctx, std::move(created));
}

Task<Response> streamed_chat(Ctx& ctx, const Request& request, const auth::User& user, const JobBody& call,
                             bool include_usage) {
  jobs::Created created = co_await created_job(ctx, request, user, call);
  const std::int64_t now_s = ctx.now_ms() / 1000;
  if (!created.started.replay) {
    jobs::Opened opened =
        co_await jobs::open_stream(ctx, jobs::candidates(ctx.config(), created.route), created.submission);
    if (opened.refused) co_await ctx.raise(refusal_of(*opened.refused));
    if (opened.streaming) {
      ChatChunks chunks(created.started.job_id, created.route.model_id.value_or(""), now_s);
      co_return http::event_stream(write_streamed_chat(ctx, std::move(*opened.streaming), chunks, include_usage));
    }
  }
  jobs::JobRow job = co_await completed(ctx, std::move(created));
  std::string text = co_await output_text(ctx, job);
  co_return chat_completion_stream(job, text, now_s, include_usage);
}

Task<std::vector<Json>> held_outputs(Ctx& ctx, const jobs::JobRow& job) {
  std::vector<Json> opens;
  const Json outputs = job.outputs.is_array() ? job.outputs : Json::array();
  for (const Json& output : outputs)
    if (auto key = string_field(output, "key"); key && !output.contains("deleted_at"))
      opens.push_back(effect::r2_get_stream(*key, std::nullopt, std::nullopt));
  std::vector<EffectResult> opened = co_await ctx.perform_all(std::move(opens));
  std::vector<Json> held;
  for (EffectResult& object : opened) {
    if (object.failed() || !object.value.value("found", false)) {
      log::error("a job's output could not be opened", {{"request_id", ctx.request_id()}, {"job_id", job.id}});
      co_await ctx.raise(errors::internal());
    }
    held.push_back(std::move(object.value));
  }
  co_return held;
}

Task<std::string> output_text(Ctx& ctx, const jobs::JobRow& job) {
  const Json outputs = job.outputs.is_array() ? job.outputs : Json::array();
  auto key = outputs.empty() ? std::nullopt : string_field(outputs[0], "key");
  const std::string& job_id = job.id;
  if (!key) {
    ApiError empty = errors::make(502, "no_output", "the job completed without an output to answer with");
    co_await ctx.raise(with_job(std::move(empty), job_id));
  }
  EffectResult read = co_await ctx.perform(effect::r2_read(*key, kMaxTextReply));
  if (read.failed() || !read.value.value("found", false)) {
    log::error("a job's output could not be read", {{"request_id", ctx.request_id()}, {"job_id", job_id}});
    co_await ctx.raise(with_job(errors::internal(), job_id));
  }
  co_return read.body;
}

}  // namespace ag::v1
