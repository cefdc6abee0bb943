#pragma once
// Upload storage per user (USER_STORAGE_BYTES): what a user's uploads under users/<id>/ take
// in R2, kept by the SQL functions of migrations/functions/uploads.sql. An upload reserves
// its declared length before its body is read, so parallel uploads cannot overshoot, and
// records what was stored once R2 has it. Job outputs do not count.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::assets {

/// USER_STORAGE_BYTES: default 1 GiB.
std::uint64_t user_storage_bytes(const Config& config);

/// The user whose storage an upload to `key` counts against: <id> of users/<id>/..., when
/// it is a user id (a canonical UUID); nullopt for every other key.
std::optional<std::string> storage_owner(std::string_view key);

/// Room held for one upload until finish_upload.
struct UploadReservation {
  std::string id;
  std::string owner;
  std::string key;
};

/// Reserves `bytes` for an upload to `key` of `owner`'s. With a `quota`, raises 413
/// quota_exceeded (with `used` and `limit`) when the owner's uploads and this one would not
/// fit; without (admin), only counts.
Task<UploadReservation> reserve_upload(Ctx& ctx, const std::string& owner, const std::string& key, std::uint64_t bytes,
                                       std::optional<std::uint64_t> quota);

/// Ends the reservation: records `stored_bytes` as what the key holds, or (nullopt) gives the
/// room back when nothing was stored.
Task<> finish_upload(Ctx& ctx, const UploadReservation& reservation, std::optional<std::int64_t> stored_bytes);

/// The user's object at `key` is gone: its room is free again.
Task<> forget_upload(Ctx& ctx, const std::string& key);

}  // namespace ag::assets
