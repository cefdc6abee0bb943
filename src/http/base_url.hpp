#pragma once
// Absolute links back to this API (signed asset links, RunPod callbacks).
#include <string>

#include "core/config.hpp"
#include "core/http.hpp"

namespace ag::http {

/// PUBLIC_BASE_URL without trailing slashes, else the scheme and host the request came to.
std::string public_base_url(const Config& config, const Request& request);
/// PUBLIC_BASE_URL without trailing slashes; empty when unset (work that has no request).
std::string public_base_url(const Config& config);

}  // namespace ag::http
