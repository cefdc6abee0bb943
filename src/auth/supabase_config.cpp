#include "auth/supabase_config.hpp"

namespace ag::auth {

std::optional<std::string> supabase_base(const Config& config) {
  std::string base = config.get_base_url("SUPABASE_URL");
  if (base.empty()) return std::nullopt;
  return base;
}

std::string supabase_issuer(const std::string& base) { return base + "/auth/v1"; }

bool user_auth_configured(const Config& config) {
  return supabase_base(config).has_value() || config.has("SUPABASE_JWT_SECRET");
}

}  // namespace ag::auth
