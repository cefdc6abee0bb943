#include "db/row.hpp"

#include "core/decimal.hpp"

namespace ag::db {

Json optional_text(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

std::optional<std::int64_t> integer_column(const Json& row, std::string_view name) {
  if (auto number = int_field(row, name)) return number;
  auto text = string_field(row, name);
  if (!text || text->empty()) return std::nullopt;
  std::string_view digits = *text;
  const bool negative = digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  auto magnitude = parse_decimal(digits, 18);  // 18 digits always fit in int64
  if (!magnitude) return std::nullopt;
  auto value = static_cast<std::int64_t>(*magnitude);
  return negative ? -value : value;
}

std::int64_t first_integer(const Json& rows, std::string_view column) {
  return rows.size() == 1 ? integer_column(rows[0], column).value_or(0) : 0;
}

}  // namespace ag::db
