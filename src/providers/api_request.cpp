#include "providers/api_request.hpp"

#include <utility>

namespace ag::providers {

effect::FetchSpec api_request(std::string method, std::string url, std::string authorization, std::uint64_t max_bytes) {
  effect::FetchSpec spec;
  spec.method = std::move(method);
  spec.url = std::move(url);
  spec.headers = {{"authorization", std::move(authorization)}, {"accept", "application/json"}};
  spec.timeout_ms = 15'000;
  spec.max_bytes = max_bytes;
  return spec;
}

}  // namespace ag::providers
