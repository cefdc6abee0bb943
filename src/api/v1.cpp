// GET /v1/models and POST /v1/chat/completions, /v1/images/generations, /v1/audio/speech
// (docs/openai.md): OpenAI's endpoints, so its client libraries work by changing their base
// URL. Each call is a job of the caller's (v1/calls), answered in OpenAI's shapes
// (v1/replies); App::finish rewrites their errors in OpenAI's shape (v1/errors).
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "jobs/view.hpp"
#include "models/catalog.hpp"
#include "v1/calls.hpp"
#include "v1/replies.hpp"
#include "v1/requests.hpp"

namespace ag::api {

/// GET /v1/models: the models a call can name.
Task<Response> v1_models(Ctx& ctx, const Request& request) {
  co_await auth::require_user(ctx, request);
  std::shared_ptr<const models::Catalog> catalog = co_await models::catalog(ctx);
  co_return json_response(200, v1::model_list(*catalog));
}

/// POST /v1/chat/completions: the job's text output as the assistant's message; with
/// `stream: true`, the same as chunks of an event stream, written as the provider streams them.
Task<Response> v1_chat_completions(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_user(ctx, request);
  Json body = co_await http::read_json_object(ctx, request);
  const v1::ChatStreaming streaming = v1::chat_streaming(body);
  if (streaming.stream)
    co_return co_await v1::streamed_chat(ctx, request, user, v1::chat_job(body), streaming.include_usage);
  jobs::JobRow job = co_await v1::completed_job(ctx, request, user, v1::chat_job(body));
  std::string text = co_await v1::output_text(ctx, job);
  co_return json_response(200, v1::chat_completion(job, text, ctx.now_ms() / 1000));
}

/// POST /v1/images/generations: a signed link (24 h) per image the job made, or with
/// `response_format: b64_json` the images themselves, which the shim writes into the answer.
Task<Response> v1_images(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_user(ctx, request);
  Json body = co_await http::read_json_object(ctx, request);
  jobs::JobRow job = co_await v1::completed_job(ctx, request, user, v1::image_job(body));
  const std::int64_t now_s = ctx.now_ms() / 1000;
  if (body.value("response_format", Json("url")) == "b64_json") {
    std::vector<Json> held = co_await v1::held_outputs(ctx, job);
    Response inline_answer = json_response(200, Json::object());
    inline_answer.body = v1::inline_images(job, held, now_s);
    co_return inline_answer;
  }
  Json links = jobs::signed_outputs(ctx.config(), http::public_base_url(ctx.config(), request), job.outputs, now_s);
  co_return json_response(200, v1::images(job, links, now_s));
}

/// POST /v1/audio/speech: the job's audio itself, streamed from R2 (it never enters the core).
Task<Response> v1_speech(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_user(ctx, request);
  Json body = co_await http::read_json_object(ctx, request);
  jobs::JobRow job = co_await v1::completed_job(ctx, request, user, v1::speech_job(body));
  std::vector<Json> held = co_await v1::held_outputs(ctx, job);
  if (held.empty()) co_await ctx.raise(errors::internal());
  const Json& audio = held.front();
  Response response;
  response.set_header("content-type", string_field(audio, "content_type").value_or("application/octet-stream"));
  if (auto size = int_field(audio, "size")) response.set_header("content-length", std::to_string(*size));
  response.set_header("x-job-id", job.id);
  response.body = R2BodyHandle{int_field(audio, "handle").value_or(0)};
  co_return response;
}

}  // namespace ag::api
