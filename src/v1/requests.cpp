#include "v1/requests.hpp"

#include <map>
#include <set>

namespace ag::v1 {
namespace {

/// How a call's parameters reach the job: renamed, or dropped; any other keeps its name.
struct Parameters {
  std::map<std::string, std::string> inputs;  // OpenAI's name → the input's
  std::set<std::string> dropped;              // accepted, and meaning nothing here
};

/// The job of `model` with `prompt`, carrying `request`'s other parameters as `known` says;
/// `handled` names those the caller reads itself.
JobBody job(const Json& request, std::string prompt, const Parameters& known, const std::set<std::string>& handled) {
  auto model = string_field(request, "model");
  if (!model || model->empty()) return {nullptr, "model must name one of GET /v1/models"};
  Json input = Json::object();
  for (const auto& [name, value] : request.items()) {
    if (name == "model" || handled.contains(name) || known.dropped.contains(name)) continue;
    auto renamed = known.inputs.find(name);
    const std::string& field = renamed == known.inputs.end() ? name : renamed->second;
    if (input.contains(field)) return {nullptr, "give only one of the parameters that set " + field};
    input[field] = value;
  }
  return {{{"model", *model}, {"prompt", std::move(prompt)}, {"input", std::move(input)}}, ""};
}

/// A message's text: a string, or the text parts of a list of parts.
std::optional<std::string> message_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return std::nullopt;
  std::string text;
  for (const Json& part : content) {
    if (string_field(part, "type") != "text") return std::nullopt;
    auto piece = string_field(part, "text");
    if (!piece) return std::nullopt;
    text += (text.empty() ? "" : "\n") + *piece;
  }
  return text;
}

}  // namespace

JobBody chat_job(const Json& request) {
  const Json& messages = request.contains("messages") ? request["messages"] : Json();
  if (!messages.is_array() || messages.empty()) return {nullptr, "messages must be a non-empty list"};
  if (request.contains("stream") && !request["stream"].is_boolean()) return {nullptr, "stream must be true or false"};
  if (request.contains("stream_options") && !request["stream_options"].is_object())
    return {nullptr, "stream_options must be an object"};
  if (request.contains("n") && request["n"] != 1) return {nullptr, "n must be 1: one completion per call"};
  std::string prompt;
  for (const Json& message : messages) {
    auto role = string_field(message, "role");
    auto text = message_text(message.value("content", Json()));
    if (!role || !text) return {nullptr, "each message needs a role and a text content"};
    const bool alone = messages.size() == 1 && *role == "user";
    prompt += (prompt.empty() ? "" : "\n\n") + (alone ? *text : *role + ": " + *text);
  }
  static const Parameters kChat{{{"max_tokens", "max_tokens"},
                                 {"max_completion_tokens", "max_tokens"},
                                 {"temperature", "temperature"},
                                 {"top_p", "top_p"},
                                 {"seed", "seed"}},
                                {"user", "store", "n", "stream", "stream_options", "metadata"}};
  return job(request, std::move(prompt), kChat, {"messages"});
}

ChatStreaming chat_streaming(const Json& request) {
  const Json options = request.value("stream_options", Json::object());
  return {request.value("stream", Json(false)) == true,
          options.is_object() && options.value("include_usage", Json(false)) == true};
}

JobBody image_job(const Json& request) {
  auto prompt = string_field(request, "prompt");
  if (!prompt) return {nullptr, "prompt must be a string"};
  const Json format = request.value("response_format", Json("url"));
  if (format != "url" && format != "b64_json") return {nullptr, "response_format must be url or b64_json"};
  static const Parameters kImages{{{"n", "num_outputs"},
                                   {"size", "size"},
                                   {"quality", "quality"},
                                   {"style", "style"},
                                   {"background", "background"},
                                   {"output_format", "output_format"}},
                                  {"user", "response_format"}};
  Json body = request;
  if (body.contains("n") && body["n"] == 1) body.erase("n");  // one image is what every model makes
  return job(body, *prompt, kImages, {"prompt"});
}

JobBody speech_job(const Json& request) {
  auto text = string_field(request, "input");
  if (!text) return {nullptr, "input must be the text to speak"};
  static const Parameters kSpeech{{{"voice", "voice"},
                                   {"speed", "speed"},
                                   {"response_format", "response_format"},
                                   {"instructions", "instructions"}},
                                  {"user"}};
  return job(request, *text, kSpeech, {"input"});
}

}  // namespace ag::v1
