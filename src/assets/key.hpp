#pragma once
// Asset keys (the R2 object names behind /assets/:key) and who may read them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace ag::assets {

/// Why a key is refused, or nullopt when it is valid: 1–1024 bytes, no leading '/',
/// no ".." segment, no backslash, no control characters.
std::optional<std::string> key_problem(std::string_view key);

/// Keys under users/ and outputs/ belong to someone; every other key is public.
bool is_private(std::string_view key);

/// The user a private key belongs to: `<id>` of "users/<id>/..." or "outputs/<id>/...";
/// nullopt for public keys and for private keys without an owner segment (admin only).
std::optional<std::string_view> owner_of(std::string_view key);

/// ASSET_MAX_BYTES, default 50 MB.
std::uint64_t max_upload_bytes(const Config& config);

}  // namespace ag::assets
