#include "auth/admin.hpp"

#include "auth/bearer.hpp"
#include "crypto/constant_time.hpp"

namespace ag::auth {

bool is_admin(const Config& config, const Request& request) {
  auto expected = config.get("APP_ADMIN_TOKEN");
  auto given = bearer_token(request);
  return expected && given && crypto::constant_time_equal(*given, *expected);
}

}  // namespace ag::auth
