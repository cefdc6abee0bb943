#pragma once
// The Worker's string-valued vars and secrets, handed over once per instance by the
// shim (ag_init). An empty value counts as unset: a blank secret never matches anything.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ag {

class Config {
 public:
  Config() = default;
  /// From `{"NAME": "value", ...}`; entries that are not strings are ignored.
  static Config from_json(const Json& env);

  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  /// A decimal setting clamped to [min, max]; `fallback` when unset or malformed.
  std::uint64_t get_uint(std::string_view name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const;
  /// A comma-separated list, items trimmed, empty items dropped.
  std::vector<std::string> get_list(std::string_view name) const;
  /// A base URL setting without trailing '/', so paths append with one; `fallback` (trimmed
  /// alike) when unset.
  std::string get_base_url(std::string_view name, std::string_view fallback = {}) const;

  void set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace ag
