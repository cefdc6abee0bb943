#pragma once
// Exact amounts for pricing: a JSON number read as the decimal its sender wrote ("0.1" is one
// tenth, not the double 0.1000000000000000055…), in millionths, so sums and products are
// integer arithmetic with no float surprises.
#include <cstdint>
#include <optional>

#include "core/json.hpp"

namespace ag::inputs {

/// Millionths of a unit (of a credit, a second, a token).
using Micros = std::int64_t;
inline constexpr Micros kMicrosPerUnit = 1'000'000;

/// The largest amount read: 10^12 units, so that millionths stay below 2^63.
inline constexpr Micros kMaxMicros = 1'000'000'000'000'000'000;

enum class Rounding {
  exact,  // refuse a value with more than 6 decimal places (prices in a pricing document)
  up,     // round up to the next millionth (inputs and usage: never priced below what was asked)
};

/// `number` in millionths; nullopt when it is not a number, negative, above 10^12 or, with
/// Rounding::exact, finer than a millionth.
std::optional<Micros> to_micros(const Json& number, Rounding rounding);

}  // namespace ag::inputs
