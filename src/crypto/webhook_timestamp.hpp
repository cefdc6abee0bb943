#pragma once
// The timestamp header of a signed webhook (Standard Webhooks', fal's): unix seconds in
// decimal digits, accepted within a tolerance of now either way so a captured delivery
// cannot be replayed later.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ag::crypto {

/// The seconds `text` spells (1 to 12 decimal digits); nullopt for anything else.
std::optional<std::int64_t> parse_unix_seconds(std::string_view text);

/// Whether `timestamp_s` is within `tolerance_s` of `now_s`.
inline bool is_fresh(std::int64_t timestamp_s, std::int64_t now_s, std::int64_t tolerance_s) {
  return timestamp_s >= now_s - tolerance_s && timestamp_s <= now_s + tolerance_s;
}

}  // namespace ag::crypto
