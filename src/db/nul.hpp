#pragma once
// U+0000 in values bound for Postgres: neither `text` (SQLSTATE 22021) nor `jsonb` (22P05)
// can hold it, so a client's value carrying one is refused where it enters, naming where,
// and a copy kept only for people to read (the webhook log) has it replaced.
#include <optional>
#include <string>

#include "core/json.hpp"

namespace ag::db {

/// Where the first string or object key holding U+0000 is, spelled as a path from the top
/// ("prompt", "input.tags[1]", `input["a\u0000b"]` for a key); nullopt when there is none.
std::optional<std::string> nul_path(const Json& value);

/// `value` with every U+0000 in its strings and keys replaced by U+FFFD.
Json without_nul(const Json& value);

}  // namespace ag::db
