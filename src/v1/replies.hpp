#pragma once
// This API's answers in OpenAI's shapes (docs/openai.md). Each also names the job the call
// made (`job_id`), which GET /jobs/:id shows with its price and charge.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "core/json.hpp"
#include "jobs/job_row.hpp"
#include "models/catalog.hpp"

namespace ag::v1 {

/// GET /v1/models: {"object":"list","data":[{"id","object":"model","created","owned_by"}]},
/// with each model's content type and price at its defaults beside.
Json model_list(const models::Catalog& catalog);

/// A chat completion of the finished job `row`, whose reply is `text`.
Json chat_completion(const jobs::JobRow& job, const std::string& text, std::int64_t now_s);

/// The events of a chat completion as a `stream: true` client reads them: `data: <chunk>` each,
/// chat.completion.chunk objects with the id and model the completion has ("chatcmpl-<job>",
/// our model id), then `data: [DONE]`.
class ChatChunks {
 public:
  ChatChunks(const std::string& job_id, Json model, std::int64_t now_s);
  /// The first: the assistant's role, no text yet.
  std::string role() const;
  /// A piece of the text; `finish_reason` (a string) on the piece the completion stops at.
  std::string delta(const std::string& content, Json finish_reason = nullptr) const;
  /// The last chunk when the client asked for `include_usage`: no choices, the provider's usage.
  std::string usage(const Json& usage) const;
  /// An error that ends the stream, as OpenAI's clients raise it: {"error": {"message", "type",
  /// "param", "code", "job_id"}}.
  std::string error(std::string_view code, std::string_view message) const;
  static constexpr std::string_view kDone = "data: [DONE]\n\n";

 private:
  Json head_;
};

/// The completion of the finished job `row` as a `stream: true` client reads it, sent once the
/// job has completed (its provider does not stream): `text/event-stream` of the role, the whole
/// text in one piece, the finish reason, with `include_usage` the provider's usage, [DONE].
Response chat_completion_stream(const jobs::JobRow& job, const std::string& text, std::int64_t now_s,
                                bool include_usage);

/// An images answer: {"created","data":[{"url"}]}, one signed link per output of the job.
Json images(const jobs::JobRow& job, const Json& signed_outputs, std::int64_t now_s);

/// The same answer with each image inline as `b64_json`: the shim writes each held output
/// (from held_outputs) as base64 into the JSON.
ComposedBody inline_images(const jobs::JobRow& job, const std::vector<Json>& held, std::int64_t now_s);

}  // namespace ag::v1
