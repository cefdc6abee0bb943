#pragma once
// Admin: `Authorization: Bearer <APP_ADMIN_TOKEN>`, compared in constant time. With no
// token configured, admin access is disabled: nothing (not even "") matches.
#include "core/config.hpp"
#include "core/http.hpp"

namespace ag::auth {

bool is_admin(const Config& config, const Request& request);

}  // namespace ag::auth
