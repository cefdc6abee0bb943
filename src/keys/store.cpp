#include "keys/store.hpp"

#include "db/query.hpp"

namespace ag::keys {

Task<std::optional<Json>> create_key(Ctx& ctx, const NewKey& key) {
  Json params = Json::array({key.user_id, key.name, key.prefix, key.secret_hash, kMaxKeysPerUser});
  Json rows = co_await db::query(ctx,
                                 "select outcome, id, name, prefix, created_at from public.create_api_key("
                                 "$1::uuid, $2::text, $3::text, $4::text, $5::integer)",
                                 std::move(params));
  if (rows.empty() || string_field(rows[0], "outcome") != "created") co_return std::nullopt;
  Json created = std::move(rows[0]);
  created.erase("outcome");
  co_return created;
}

Task<Json> list_keys(Ctx& ctx, const std::string& user_id) {
  Json params = Json::array({user_id});
  co_return co_await db::query(
      ctx, "select id, name, prefix, created_at, last_used_at from public.list_api_keys($1::uuid)", std::move(params));
}

Task<bool> revoke_key(Ctx& ctx, const std::string& user_id, const std::string& key_id) {
  Json params = Json::array({user_id, key_id});
  Json rows = co_await db::query(ctx, "select public.revoke_api_key($1::uuid, $2::uuid) as revoked", std::move(params));
  co_return !rows.empty() && rows[0].value("revoked", false);
}

Task<std::optional<Json>> key_caller(Ctx& ctx, const std::string& secret_hash) {
  Json params = Json::array({secret_hash});
  Json rows = co_await db::query(ctx, "select id, user_id from public.api_key_caller($1::text)", std::move(params));
  if (rows.empty()) co_return std::nullopt;
  co_return std::move(rows[0]);
}

}  // namespace ag::keys
