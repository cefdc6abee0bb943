#include "inputs/amount.hpp"

#include <string>

#include "core/decimal.hpp"

namespace ag::inputs {
namespace {

bool negative(const Json& number) {
  if (number.is_number_float()) return number.get<double>() < 0;
  return !number.is_number_unsigned() && number.get<std::int64_t>() < 0;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Micros> to_micros(const Json& number, Rounding rounding) {
  if (!number.is_number() || negative(number)) return std::nullopt;
  // NOTE: nlohmann prints a double as the shortest decimal that reads back as the same double,
  // which is what its sender wrote whenever they wrote 17 significant digits or fewer.
  const std::string text = dump(number);
  std::size_t i = text[0] == '-' ? 1 : 0;  // -0.0
  std::string digits;
  int exponent = 6;  // `digits` times 10^exponent is the value in millionths
  for (; i < text.size() && digit(text[i]); ++i) digits += text[i];
  if (i < text.size() && text[i] == '.')
    for (++i; i < text.size() && digit(text[i]); ++i, --exponent) digits += text[i];
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    const bool below_one = text[++i] == '-';
    if (text[i] == '-' || text[i] == '+') ++i;
    auto power = parse_decimal(std::string_view(text).substr(i), 3);
    if (!power) return std::nullopt;
    exponent += below_one ? -static_cast<int>(*power) : static_cast<int>(*power);
  }
  digits.erase(0, digits.find_first_not_of('0'));
  if (digits.empty()) return 0;
  for (; digits.back() == '0'; ++exponent) digits.pop_back();

  if (exponent >= 0) {
    if (digits.size() + exponent > 19) return std::nullopt;  // at least 10^19 millionths
    std::uint64_t value = *parse_decimal(digits);
    for (; exponent > 0; --exponent) value *= 10;
    return value <= static_cast<std::uint64_t>(kMaxMicros) ? std::optional<Micros>(value) : std::nullopt;
  }
  // A nonzero digit below a millionth (trailing zeros are gone).
  if (rounding == Rounding::exact) return std::nullopt;
  const int whole_digits = static_cast<int>(digits.size()) + exponent;
  if (whole_digits > 19) return std::nullopt;
  const std::uint64_t whole = whole_digits > 0 ? *parse_decimal(std::string_view(digits).substr(0, whole_digits)) : 0;
  return whole < static_cast<std::uint64_t>(kMaxMicros) ? std::optional<Micros>(whole + 1) : std::nullopt;
}

}  // namespace ag::inputs
