#include "auth/supabase_config.hpp"

namespace ag::auth {

std::optional<std::string> supabase_base(const Config& config) {
  auto url = config.get("SUPABASE_URL");
  if (!url) return std::nullopt;
  std::string base(*url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.empty()) return std::nullopt;
  return base;
}

std::string supabase_issuer(const std::string& base) { return base + "/auth/v1"; }

bool user_auth_configured(const Config& config) {
  return supabase_base(config).has_value() || config.has("SUPABASE_JWT_SECRET");
}

}  // namespace ag::auth
