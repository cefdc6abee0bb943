#include "crypto/derived_secret.hpp"

#include "crypto/sha256.hpp"

namespace ag::crypto {

std::optional<std::string> configured_or_derived_secret(std::optional<std::string_view> configured,
                                                        std::optional<std::string_view> admin_token,
                                                        std::string_view label) {
  if (configured) return std::string(*configured);
  if (!admin_token) return std::nullopt;
  return std::string(as_bytes(hmac_sha256(*admin_token, label)));
}

}  // namespace ag::crypto
