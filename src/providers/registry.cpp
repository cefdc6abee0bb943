#include "providers/registry.hpp"

#include "providers/runpod.hpp"

namespace ag::providers {

std::unique_ptr<Provider> configured(const Config& config, const Route& route) {
  if (route.provider == "runpod") {
    if (auto settings = runpod::settings(config))
      return std::make_unique<runpod::RunPod>(runpod::at_endpoint(std::move(*settings), route.endpoint));
  }
  return nullptr;
}

}  // namespace ag::providers
