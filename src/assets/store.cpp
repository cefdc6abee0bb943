#include "assets/store.hpp"

#include "assets/key.hpp"
#include "core/uuid.hpp"
#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::assets {
namespace {

constexpr std::string_view kReserve =
    "select reservation, used from public.reserve_upload($1::uuid, $2::text, $3::bigint, $4::bigint)";
constexpr std::string_view kFinish = "select public.finish_upload($1::uuid, $2::uuid, $3::text, $4::bigint)";
constexpr std::string_view kForget = "select public.forget_upload($1::text)";

}  // namespace

std::uint64_t user_storage_bytes(const Config& config) {
  return config.get_uint("USER_STORAGE_BYTES", 1ull << 30, 0, 1ull << 50);
}

std::optional<std::string> storage_owner(std::string_view key) {
  if (key.substr(0, 6) != "users/") return std::nullopt;
  auto owner = owner_of(key);
  if (!owner || !is_canonical_uuid(*owner)) return std::nullopt;
  return std::string(*owner);
}

Task<UploadReservation> reserve_upload(Ctx& ctx, const std::string& owner, const std::string& key, std::uint64_t bytes,
                                       std::optional<std::uint64_t> quota) {
  Json params = Json::array({owner, key, bytes, quota ? Json(*quota) : Json(nullptr)});
  Json rows = co_await db::query(ctx, kReserve, std::move(params));
  auto reservation = rows.size() == 1 ? string_field(rows[0], "reservation") : std::nullopt;
  if (!reservation) {
    std::int64_t used = rows.size() == 1 ? db::integer_column(rows[0], "used").value_or(0) : 0;
    co_await ctx.raise(errors::quota_exceeded(used, quota.value_or(0)));
  }
  co_return UploadReservation{*reservation, owner, key};
}

Task<> finish_upload(Ctx& ctx, const UploadReservation& reservation, std::optional<std::int64_t> stored_bytes) {
  Json params = Json::array(
      {reservation.id, reservation.owner, reservation.key, stored_bytes ? Json(*stored_bytes) : Json(nullptr)});
  co_await db::query(ctx, kFinish, std::move(params));
}

Task<> forget_upload(Ctx& ctx, const std::string& key) {
  Json params = Json::array({key});
  co_await db::query(ctx, kForget, std::move(params));
}

}  // namespace ag::assets
