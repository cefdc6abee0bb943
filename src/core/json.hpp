#pragma once
// nlohmann/json, used without exceptions: parse with allow_exceptions = false and read
// values with the checked helpers below, never with at()/get<>() on untrusted input.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ag {

using Json = nlohmann::json;

/// Parses untrusted text; nullopt when it is not one well-formed JSON value.
std::optional<Json> parse_json(std::string_view text);

/// Serialises without ever failing: invalid UTF-8 in strings is replaced, not fatal.
std::string dump(const Json& value);

/// The string member `key` of an object, when present and a string.
std::optional<std::string> string_field(const Json& object, std::string_view key);

/// The integer member `key` of an object, when present and an integer.
std::optional<std::int64_t> int_field(const Json& object, std::string_view key);

/// The boolean member `key` of an object, when present and a boolean.
std::optional<bool> bool_field(const Json& object, std::string_view key);

}  // namespace ag
