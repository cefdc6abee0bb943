#include "crypto/derived_secret.hpp"

#include "crypto/sha256.hpp"

namespace ag::crypto {

std::optional<std::string> configured_or_derived_secret(const Config& config, std::string_view name,
                                                        std::string_view label) {
  if (auto secret = config.get(name)) return std::string(*secret);
  auto admin = config.get("APP_ADMIN_TOKEN");
  if (!admin) return std::nullopt;
  return std::string(as_bytes(hmac_sha256(*admin, label)));
}

}  // namespace ag::crypto
