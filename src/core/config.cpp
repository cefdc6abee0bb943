#include "core/config.hpp"

#include <algorithm>
#include <charconv>

namespace ag {

Config Config::from_json(const Json& env) {
  Config config;
  if (!env.is_object()) return config;
  for (const auto& [name, value] : env.items()) {
    if (value.is_string()) config.vars_[name] = value.get<std::string>();
  }
  return config;
}

std::optional<std::string_view> Config::get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second);
}

std::uint64_t Config::get_uint(std::string_view name, std::uint64_t fallback, std::uint64_t min,
                               std::uint64_t max) const {
  auto text = get(name);
  if (!text) return fallback;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size()) return fallback;
  return std::clamp(value, min, max);
}

std::vector<std::string> Config::get_list(std::string_view name) const {
  std::vector<std::string> items;
  auto text = get(name);
  if (!text) return items;
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

std::string Config::get_base_url(std::string_view name, std::string_view fallback) const {
  std::string base(get(name).value_or(fallback));
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace ag
