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

/// How deep untrusted JSON may nest. Copying, comparing and printing a Json recurse once per
/// level, so a deeper document (64 KiB of text hold 30000 levels) could exhaust the stack and
/// trap the core; it is refused where it enters, at parsing. Real payloads nest a few levels.
inline constexpr int kMaxJsonDepth = 128;

/// Parses untrusted text; nullopt when it is not one well-formed JSON value nested at most
/// `max_depth` levels (a scalar is level 0, the members of a top-level object level 1).
std::optional<Json> parse_json(std::string_view text, int max_depth = kMaxJsonDepth);

/// parse_json's answer with the reason of a refusal, for messages to whoever sent the text.
struct JsonParse {
  std::optional<Json> value;
  std::string error;  // when there is no value: "syntax error at byte 15", "nested deeper than 128 levels"
};

/// What an object naming one key twice means. Clients' bodies refuse it: last-wins would let
/// `{"amount":1,...,"amount":999}` mean what a reader of the first field does not see. Provider
/// replies keep last-wins: a paid result is never thrown away over it.
enum class DuplicateKeys { last_wins, refuse };

/// parse_json, saying why the text was refused.
JsonParse parse_json_checked(std::string_view text, DuplicateKeys duplicates = DuplicateKeys::last_wins,
                             int max_depth = kMaxJsonDepth);

/// Serialises without ever failing: invalid UTF-8 in strings is replaced, not fatal.
std::string dump(const Json& value);

/// The string member `key` of an object, when present and a string.
std::optional<std::string> string_field(const Json& object, std::string_view key);

/// The integer member `key` of an object, when present and an integer.
std::optional<std::int64_t> int_field(const Json& object, std::string_view key);

/// The boolean member `key` of an object, when present and a boolean.
std::optional<bool> bool_field(const Json& object, std::string_view key);

}  // namespace ag
