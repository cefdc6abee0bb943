#pragma once
// Which provider runs a job, configured from the Worker's settings.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "providers/provider.hpp"

namespace ag::providers {

/// Where a job runs: a provider by the name jobs record, the model's own endpoint there
/// (nullopt: the provider's configured one), the provider's name for the model and what the
/// model makes (text, image, audio, video).
struct Route {
  std::string_view provider;
  std::optional<std::string> endpoint = std::nullopt;
  std::optional<std::string> model = std::nullopt;
  std::optional<std::string> content_type = std::nullopt;
};

/// The provider seed 000's jobs run on: without its settings a job is the noop (202).
inline constexpr std::string_view kDefaultProvider = "runpod";

/// The provider of `route`, configured from `config`; nullptr when it is not configured (or
/// unknown), which leaves a recorded job unpolled.
std::unique_ptr<Provider> configured(const Config& config, const Route& route);

/// Whether jobs can name a provider of this name (configured or not).
bool is_known(std::string_view provider);

/// The providers whose models can take a job now: the configured ones, and always
/// kDefaultProvider (its jobs are the noop when it is not configured).
std::vector<std::string> accepting(const Config& config);

}  // namespace ag::providers
