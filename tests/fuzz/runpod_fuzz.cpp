// The providers' answers (RunPod's /run, /status, /cancel and webhook body; Replicate's
// predictions; an OpenAI-compatible API's images, speech and completions) read through the
// Provider interface, and their status mappings.
#include <cstdint>
#include <string>

#include "core/config.hpp"
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
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ag::Config config = configured();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view name : {"runpod", "replicate"}) {
    auto provider = ag::providers::configured(config, {name, std::nullopt, std::string("owner/model")});
    if (auto state = provider->parse_callback(body)) {
      if (state->id.empty()) __builtin_trap();  // parse_state promises a non-empty id
      provider->output(*state);
    }
    ag::EffectResult reply{{{"status", 200}, {"headers", ag::Json::array()}}, std::string(body)};
    provider->status_reply(reply, "job");
    provider->submit_reply(reply);
  }
  for (std::string_view type : {"text", "image", "audio"}) {
    auto provider = ag::providers::configured(config, {"openai", std::nullopt, std::string("gpt"), std::string(type)});
    ag::EffectResult reply{{{"status", 200}, {"headers", ag::Json::array()}}, std::string(body)};
    if (auto state = provider->submit_reply(reply)) provider->output(*state);
  }
  ag::runpod::lifecycle_status(body);
  ag::replicate::lifecycle_status(body);
  return 0;
}
