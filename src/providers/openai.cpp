#include "providers/openai.hpp"

#include <array>
#include <utility>

#include "crypto/encoding.hpp"
#include "providers/usage.hpp"

namespace ag::openai {
namespace {

constexpr std::string_view kDefaultBase = "https://api.openai.com/v1";

/// The caller's input without the fields this API takes from elsewhere (`model` is ours and
/// sets the price; the prompt has its own place per endpoint).
Json passed_through(const Json& input) {
  Json sent = input.is_object() ? input : Json::object();
  sent.erase("model");
  sent.erase("prompt");
  return sent;
}

std::string text_field(const Json& object, std::string_view name, std::string_view fallback) {
  auto value = object.find(name);
  return value != object.end() && value->is_string() ? value->get<std::string>() : std::string(fallback);
}

/// ".mp3" for speech's response_format (mp3 when not given).
std::string speech_extension(std::string_view format) {
  static constexpr std::array<std::string_view, 6> kFormats = {"mp3", "opus", "aac", "flac", "wav", "pcm"};
  for (std::string_view known : kFormats)
    if (known == format) return "." + std::string(known);
  return "";
}

/// An image's type from output_format (GPT image models; png when not given).
std::pair<std::string, std::string> image_type(std::string_view format) {
  if (format == "jpeg" || format == "jpg") return {"image/jpeg", ".jpg"};
  if (format == "webp") return {"image/webp", ".webp"};
  return {"image/png", ".png"};
}

}  // namespace

std::optional<Settings> settings(const Config& config) {
  auto key = config.get("OPENAI_API_KEY");
  if (!key || key->empty()) return std::nullopt;
  return Settings{config.get_base_url("OPENAI_API_BASE", kDefaultBase), std::string(*key), "", ""};
}

bool serves(std::string_view content_type) {
  return content_type == "text" || content_type == "image" || content_type == "audio";
}

effect::FetchSpec OpenAI::submit_request(const Json& input, const std::string&) const {
  effect::FetchSpec spec;
  spec.method = "POST";
  spec.headers = {{"authorization", "Bearer " + settings_.api_key}, {"content-type", "application/json"}};
  spec.timeout_ms = kTimeoutMs;
  spec.max_bytes = kMaxTextReplyBytes;
  const std::string prompt = text_field(input, "prompt", "");
  Json body = passed_through(input);
  body["model"] = settings_.model;
  if (settings_.content_type == "image") {
    spec.url = settings_.api_base + "/images/generations";
    body["prompt"] = prompt;
    auto [type, extension] = image_type(text_field(input, "output_format", "png"));
    spec.store = effect::ReplyFiles{"", extension, type, "data", "b64_json", 0};
  } else if (settings_.content_type == "audio") {
    spec.url = settings_.api_base + "/audio/speech";
    body["input"] = prompt;
    if (!body.contains("voice")) body["voice"] = "alloy";
    spec.store = effect::ReplyFiles{"", speech_extension(text_field(input, "response_format", "mp3")), "", "", "", 0};
  } else {
    spec.url = settings_.api_base + "/chat/completions";
    body["messages"] = Json::array({{{"role", "user"}, {"content", prompt}}});
  }
  spec.body = dump(body);
  return spec;
}

std::optional<effect::FetchSpec> OpenAI::stream_request(const Json& input) const {
  if (settings_.content_type != "text") return std::nullopt;
  effect::FetchSpec spec = submit_request(input, "");
  Json body = Json::parse(*spec.body);
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};  // the usage prices the job
  spec.body = dump(body);
  spec.stream = true;
  return spec;
}

std::optional<providers::JobState> OpenAI::submit_reply(const EffectResult& reply) const {
  const int status = reply.http_status();
  if (reply.failed() || status < 200 || status > 299) return std::nullopt;
  providers::JobState state;
  state.provider_status = "completed";
  state.status = "completed";
  state.body = Json::object();
  if (settings_.content_type != "audio") {
    state.body = Json::parse(reply.body, nullptr, false);
    if (!state.body.is_object()) return std::nullopt;
  }
  auto stored = reply.value.find("stored");
  if (stored != reply.value.end() && stored->is_array()) {
    for (const Json& file : *stored)
      state.files.push_back({{"key", file.value("key", Json(nullptr))},
                             {"size", file.value("size", Json(nullptr))},
                             {"content_type", file.value("content_type", Json(nullptr))}});
  }
  // Its own id for the call: the request id it answers with (a completion also has an id).
  state.id = reply.http_header("x-request-id").value_or(text_field(state.body, "id", ""));
  return state;
}

Json OpenAI::output(const providers::JobState& state) const {
  if (settings_.content_type == "image") return state.body.value("data", Json(nullptr));
  if (settings_.content_type != "text") return nullptr;
  // The completion's text is the job's file, like any other output.
  const auto& choices = state.body.value("choices", Json::array());
  if (!choices.is_array() || choices.empty()) return nullptr;
  const Json& message = choices[0].value("message", Json::object());
  if (!message.is_object() || !message.contains("content") || !message["content"].is_string()) return nullptr;
  return "data:text/plain;base64," + crypto::base64_encode(message["content"].get<std::string>());
}

Json OpenAI::usage(const providers::JobState& state) const {
  // Chat completions count prompt and completion tokens; GPT image models, input and output.
  static constexpr providers::MeterField kFields[] = {{"input_tokens", "prompt_tokens"},
                                                      {"input_tokens", "input_tokens"},
                                                      {"output_tokens", "completion_tokens"},
                                                      {"output_tokens", "output_tokens"},
                                                      {"total_tokens", "total_tokens"}};
  return providers::usage_report(state.body.value("usage", Json(nullptr)), kFields);
}

}  // namespace ag::openai
