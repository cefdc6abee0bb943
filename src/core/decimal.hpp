#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace ag {

/// A plain run of 1..`max_digits` ASCII digits (no sign, space or exponent) as a number.
/// `max_digits` is capped at 19, which keeps every accepted value below 10^19 < 2^64.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::size_t max_digits = 19);

}  // namespace ag
