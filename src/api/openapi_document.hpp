#pragma once
#include <string_view>

namespace ag::api {

/// src/api/openapi.json, embedded at build time.
std::string_view openapi_document();

}  // namespace ag::api
