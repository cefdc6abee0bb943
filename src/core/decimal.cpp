#include "core/decimal.hpp"

namespace ag {

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::size_t max_digits) {
  if (max_digits > 19) max_digits = 19;
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace ag
