#include "providers/registry.hpp"

#include <array>

#include "providers/openai.hpp"
#include "providers/replicate.hpp"
#include "providers/runpod.hpp"

namespace ag::providers {
namespace {

constexpr std::array<std::string_view, 3> kProviders = {"runpod", "replicate", "openai"};

}  // namespace

std::unique_ptr<Provider> configured(const Config& config, const Route& route) {
  if (route.provider == "runpod") {
    if (auto settings = runpod::settings(config))
      return std::make_unique<runpod::RunPod>(runpod::at_endpoint(std::move(*settings), route.endpoint));
  }
  if (route.provider == "replicate") {
    if (auto settings = replicate::settings(config)) {
      settings->model = route.model.value_or("");
      return std::make_unique<replicate::Replicate>(std::move(*settings));
    }
  }
  if (route.provider == "openai") {
    if (auto settings = openai::settings(config)) {
      settings->model = route.model.value_or("");
      settings->content_type = route.content_type.value_or("");
      return std::make_unique<openai::OpenAI>(std::move(*settings));
    }
  }
  return nullptr;
}

bool is_known(std::string_view provider) {
  for (std::string_view name : kProviders)
    if (name == provider) return true;
  return false;
}

std::vector<std::string> accepting(const Config& config) {
  std::vector<std::string> names;
  for (std::string_view name : kProviders)
    if (name == kDefaultProvider || configured(config, {name, std::nullopt, std::nullopt})) names.emplace_back(name);
  return names;
}

}  // namespace ag::providers
