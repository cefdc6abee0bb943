#pragma once
// This API's answers in OpenAI's shapes (docs/openai.md). Each also names the job the call
// made (`job_id`), which GET /jobs/:id shows with its price and charge.
#include <cstdint>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "core/json.hpp"
#include "models/catalog.hpp"

namespace ag::v1 {

/// GET /v1/models: {"object":"list","data":[{"id","object":"model","created","owned_by"}]},
/// with each model's content type and price at its defaults beside.
Json model_list(const models::Catalog& catalog);

/// A chat completion of the finished job `row`, whose reply is `text`.
Json chat_completion(const Json& row, const std::string& text, std::int64_t now_s);

/// The same completion as a `stream: true` client reads it: `text/event-stream` of
/// chat.completion.chunk objects (the role, the whole text in one piece, the finish reason,
/// with `include_usage` a last chunk with the provider's usage) and `data: [DONE]`.
Response chat_completion_stream(const Json& row, const std::string& text, std::int64_t now_s, bool include_usage);

/// An images answer: {"created","data":[{"url"}]}, one signed link per output of the job.
Json images(const Json& row, const Json& signed_outputs, std::int64_t now_s);

/// The same answer with each image inline as `b64_json`: the shim writes each held output
/// (from held_outputs) as base64 into the JSON.
ComposedBody inline_images(const Json& row, const std::vector<Json>& held, std::int64_t now_s);

}  // namespace ag::v1
