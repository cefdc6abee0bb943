#pragma once
// Reading columns of the rows db::query returns.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::db {

/// An integer column: a JSON number, or the decimal text postgres.js gives for bigint
/// (which may exceed a double's exact range); nullopt when null, absent or malformed.
std::optional<std::int64_t> integer_column(const Json& row, std::string_view name);

/// A text parameter: the value, or SQL null.
Json optional_text(const std::optional<std::string>& value);

/// The integer `column` of a statement's one row (a function's count); 0 without one.
std::int64_t first_integer(const Json& rows, std::string_view column);

}  // namespace ag::db
