#include "core/router.hpp"

#include <algorithm>
#include <optional>

namespace ag {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

using Params = std::vector<std::pair<std::string, std::string>>;

/// Params when `path` fits the route's pattern; nullopt otherwise (including a
/// parameter whose percent-encoding is malformed or empty).
std::optional<Params> match_path(const Route& route, std::string_view path) {
  auto parts = split_path(path);
  Params params;
  const auto& segments = route.segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = segments[i];
    if (!segment.empty() && segment.front() == '*') {
      if (i >= parts.size()) return std::nullopt;
      // The rest of the raw path, from this segment on.
      std::string_view rest = path.substr(static_cast<std::size_t>(parts[i].data() - path.data()));
      auto decoded = percent_decode(rest, false);
      if (!decoded || decoded->empty()) return std::nullopt;
      params.emplace_back(segment.substr(1), std::move(*decoded));
      return params;
    }
    if (i >= parts.size()) return std::nullopt;
    if (!segment.empty() && segment.front() == ':') {
      auto decoded = percent_decode(parts[i], false);
      if (!decoded || decoded->empty()) return std::nullopt;
      params.emplace_back(segment.substr(1), std::move(*decoded));
    } else if (segment != parts[i]) {
      return std::nullopt;
    }
  }
  if (parts.size() != segments.size()) return std::nullopt;
  return params;
}

}  // namespace

Router& Router::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), handler, {}};
  for (auto part : split_path(route.pattern)) route.segments.emplace_back(part);
  routes_.push_back(std::move(route));
  return *this;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  const Route* get_route = nullptr;
  Params get_params;
  bool path_known = false;
  for (const auto& route : routes_) {
    auto params = match_path(route, path);
    if (!params) continue;
    path_known = true;
    if (route.method == method) return Found{&route, std::move(*params)};
    if (method == "HEAD" && route.method == "GET" && !get_route) {
      get_route = &route;
      get_params = std::move(*params);
    }
  }
  if (get_route) return Found{get_route, std::move(get_params)};
  if (!path_known) return NotFound{};
  return MethodNotAllowed{allowed_methods(path)};
}

std::string Router::allowed_methods(std::string_view path) const {
  std::vector<std::string> methods;
  for (const auto& route : routes_) {
    if (!match_path(route, path)) continue;
    methods.push_back(route.method);
    if (route.method == "GET") methods.emplace_back("HEAD");
  }
  if (methods.empty()) return {};
  methods.emplace_back("OPTIONS");
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const auto& m : methods) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  return allow;
}

}  // namespace ag
