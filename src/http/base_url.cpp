#include "http/base_url.hpp"

namespace ag::http {
namespace {

std::string without_trailing_slashes(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

std::string public_base_url(const Config& config) { return config.get_base_url("PUBLIC_BASE_URL"); }

std::string public_base_url(const Config& config, const Request& request) {
  if (config.get("PUBLIC_BASE_URL")) return public_base_url(config);
  // request.url is absolute (the shim passes request.url); the path starts at the first '/'
  // after "scheme://".
  auto authority = request.url.find("://");
  auto path = authority == std::string::npos ? std::string::npos : request.url.find('/', authority + 3);
  return without_trailing_slashes(request.url.substr(0, path));
}

}  // namespace ag::http
