#pragma once
// OpenAI's request bodies read as this API's jobs ({"model", "prompt", "input"}; docs/openai.md).
// The model is one of ours (GET /v1/models). A call's other parameters go into the job's
// input, under the names below or their own (a model's own inputs, such as `steps`, pass this
// way), where the model's input schema checks them like any other input: one it does not
// declare is 400 invalid_input, naming it, so nothing unpriced reaches a provider. Parameters
// that change nothing this API does (`user`, `store`, `n` of 1) are accepted and dropped.
#include <string>

#include "core/json.hpp"

namespace ag::v1 {

/// A job body, or `problem` saying what is wrong with the request.
struct JobBody {
  Json body;
  std::string problem;
};

/// POST /v1/chat/completions {model, messages, max_tokens | max_completion_tokens,
/// temperature, top_p, seed; stream, stream_options (the handler's to answer)}: the prompt is
/// the one user message's text, or, for a conversation, each message as "role: text" on its
/// own paragraph.
JobBody chat_job(const Json& request);

/// How a chat asks to be answered: `stream: true`, and with it `stream_options.include_usage`.
struct ChatStreaming {
  bool stream = false;
  bool include_usage = false;
};
ChatStreaming chat_streaming(const Json& request);

/// POST /v1/images/generations {model, prompt, n → num_outputs, size, quality, style,
/// background, output_format, response_format: url | b64_json (the handler's to answer)}.
JobBody image_job(const Json& request);

/// POST /v1/audio/speech {model, input → the prompt, voice, speed, response_format, instructions}.
JobBody speech_job(const Json& request);

}  // namespace ag::v1
