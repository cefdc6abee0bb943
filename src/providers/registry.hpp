#pragma once
// Which provider runs a job, configured from the Worker's settings.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "providers/provider.hpp"

namespace ag::providers {

/// Where a job runs: a provider by the name jobs record, and the model's own endpoint there
/// (nullopt: the provider's configured one).
struct Route {
  std::string_view provider;
  std::optional<std::string> endpoint;
};

/// The provider every model runs on today.
inline constexpr std::string_view kDefaultProvider = "runpod";

/// The provider of `route`, configured from `config`; nullptr when it is not configured (or
/// unknown), which makes a new job the noop and leaves a recorded one unpolled.
std::unique_ptr<Provider> configured(const Config& config, const Route& route);

}  // namespace ag::providers
