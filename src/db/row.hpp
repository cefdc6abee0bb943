#pragma once
// Reading columns of the rows db::query returns.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/json.hpp"

namespace ag::db {

/// An integer column: a JSON number, or the decimal text postgres.js gives for bigint
/// (which may exceed a double's exact range); nullopt when null, absent or malformed.
std::optional<std::int64_t> integer_column(const Json& row, std::string_view name);

}  // namespace ag::db
