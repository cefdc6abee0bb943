#pragma once
#include <optional>
#include <string_view>

#include "core/http.hpp"

namespace ag::auth {

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
std::optional<std::string_view> bearer_token(const Request& request);

}  // namespace ag::auth
