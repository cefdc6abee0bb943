// The providers' answers (RunPod's /run, /status, /cancel and webhook body; Replicate's
// predictions; fal's queue entries, statuses, results and webhook bodies; an OpenAI-compatible
// API's images, speech and completions) read through the Provider interface, and their status
// mappings; fal's webhook headers and signed message.
#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "crypto/fal_webhook.hpp"
#include "providers/fal.hpp"
#include "providers/registry.hpp"
#include "providers/replicate.hpp"
#include "providers/runpod.hpp"

namespace {

ag::Config configured() {
  ag::Config config;
  config.set("RUNPOD_API_KEY", "k");
  config.set("RUNPOD_ENDPOINT_ID", "ep");
  config.set("REPLICATE_API_TOKEN", "r8");
  config.set("OPENAI_API_KEY", "sk");
  config.set("FAL_KEY", "fal");
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ag::Config config = configured();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view name : {"runpod", "replicate", "fal"}) {
    auto provider = ag::providers::configured(config, {name, std::nullopt, std::string("owner/model/path")});
    if (auto state = provider->parse_callback(body)) {
      if (state->id.empty()) __builtin_trap();  // every provider's callback names its job
      provider->output(*state);
      provider->result_request(*state);
    }
    for (int status : {200, 202, 400, 422, 503}) {
      ag::EffectResult reply{{{"status", status}, {"headers", ag::Json::array()}}, std::string(body)};
      if (auto polled = provider->status_reply(reply, "job"); polled.state) {
        auto read = provider->result_reply(reply, *polled.state);
        if (read.state) provider->output(*read.state);
      }
      provider->submit_reply(reply);
      provider->cancel_reply(reply);
    }
  }
  for (std::string_view type : {"text", "image", "audio"}) {
    auto provider = ag::providers::configured(config, {"openai", std::nullopt, std::string("gpt"), std::string(type)});
    ag::EffectResult reply{{{"status", 200}, {"headers", ag::Json::array()}}, std::string(body)};
    if (auto state = provider->submit_reply(reply)) provider->output(*state);
  }
  ag::runpod::lifecycle_status(body);
  ag::replicate::lifecycle_status(body);
  ag::fal::lifecycle_status(body);
  ag::fal::queue_app(body);
  // The body's first lines as the four webhook headers, the rest as the signed body.
  std::string_view fields[4];
  std::string_view rest = body;
  for (auto& field : fields) {
    auto newline = rest.find('\n');
    field = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }
  ag::fal_webhook::prepare(fields[0], fields[1], fields[2], fields[3], rest, 1'700'000'000);
  return 0;
}
