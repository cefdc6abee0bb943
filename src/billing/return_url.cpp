#include "billing/return_url.hpp"

#include <algorithm>
#include <cctype>

namespace ag::billing {
namespace {

constexpr std::size_t kMaxUrl = 2048;
constexpr std::string_view kConsolePath = "/console/";

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The configured origins, normalised like url_origin (a trailing '/' dropped).
bool is_configured_origin(const Config& config, const std::string& origin) {
  for (const std::string& entry : config.get_list("CORS_ORIGINS")) {
    if (url_origin(entry) == origin) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
  if (url.size() > kMaxUrl) return std::nullopt;
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7F || c == '\\') return std::nullopt;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme = lowercase(url.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // userinfo ("https://app.example.com@evil.example") is how lookalike URLs are made: refuse it.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  return scheme + "://" + lowercase(authority);
}

bool allowed_return_url(const Config& config, std::string_view url, std::string_view own_base) {
  auto origin = url_origin(url);
  if (!origin) return false;
  // url_origin only lowercases, so the origin is as long in `url` as it is here.
  auto own = url_origin(own_base);
  if (own && *own == *origin && url.substr(origin->size()).starts_with(kConsolePath)) return true;
  return is_configured_origin(config, *origin);
}

std::optional<std::string> default_return_url(const Config& config, std::string_view query) {
  for (const std::string& entry : config.get_list("CORS_ORIGINS")) {
    if (auto origin = url_origin(entry)) return *origin + "/billing?" + std::string(query);
  }
  return std::nullopt;
}

}  // namespace ag::billing
