#pragma once
// SHA-256 and HMAC-SHA256 over byte strings (mbedTLS underneath).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ag::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

/// The SHA-256 digest of `data` (FIPS 180-4).
Sha256Digest sha256(std::string_view data);

/// The SHA-256 digest of `data` as lowercase hex (64 characters).
std::string sha256_hex(std::string_view data);

/// HMAC-SHA256 (RFC 2104) of `message` under `key`; any key length.
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

/// The digest as a byte string, for comparisons and encoders that take std::string_view.
inline std::string_view as_bytes(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace ag::crypto
