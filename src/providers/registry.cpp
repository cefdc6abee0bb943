#include "providers/registry.hpp"

#include <array>

#include "providers/fal.hpp"
#include "providers/openai.hpp"
#include "providers/replicate.hpp"
#include "providers/runpod.hpp"

namespace ag::providers {
namespace {

constexpr std::array<std::string_view, 4> kProviders = {"runpod", "replicate", "openai", "fal"};

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
  if (route.provider == "fal") {
    if (auto settings = fal::settings(config)) {
      // A submission names the model; a recorded job, the app its requests live under.
      settings->model = route.model.value_or("");
      settings->app = route.model ? fal::queue_app(*route.model) : route.endpoint.value_or("");
      return std::make_unique<fal::Fal>(std::move(*settings));
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
