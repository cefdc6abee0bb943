#pragma once
// The original API's answer when a third-party service is not configured (seeds/000): 501
// {"ok":true,"provider":"noop","message":"<service>_not_configured"}.
#include <string_view>

#include "core/http.hpp"

namespace ag::http {

/// `message` is e.g. "stripe_not_configured".
Response not_configured(std::string_view message);

}  // namespace ag::http
