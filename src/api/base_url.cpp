#include "api/base_url.hpp"

namespace ag::api {

std::string public_base_url(const Config& config, const Request& request) {
  std::string base;
  if (auto configured = config.get("PUBLIC_BASE_URL")) {
    base = *configured;
  } else {
    // request.url is absolute (the shim passes request.url); the path starts at the first
    // '/' after "scheme://".
    auto authority = request.url.find("://");
    auto path = authority == std::string::npos ? std::string::npos : request.url.find('/', authority + 3);
    base = request.url.substr(0, path);
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace ag::api
