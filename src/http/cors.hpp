#pragma once
// CORS per CORS_ORIGINS: a comma-separated list of origins, or "*" for any.
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/http.hpp"

namespace ag::http {

/// The value for Access-Control-Allow-Origin, when `origin` may read responses.
std::optional<std::string> allowed_origin(const Config& config, std::string_view origin);

/// Adds the CORS headers of an actual (non-preflight) response.
void add_cors_headers(const Config& config, const Request& request, Response& response);

/// The answer to an OPTIONS request for a path that answers `allow`.
Response preflight(const Config& config, const Request& request, const std::string& allow);

}  // namespace ag::http
