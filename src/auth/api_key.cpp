#include "auth/api_key.hpp"

#include "auth/refusal.hpp"
#include "auth/token_cache.hpp"
#include "keys/secret.hpp"
#include "keys/store.hpp"

namespace ag::auth {

Task<User> verify_api_key(Ctx& ctx, std::string_view token) {
  const std::int64_t now_s = ctx.now_ms() / 1000;
  VerifiedTokens& verified = ctx.isolate().slot<VerifiedTokens>();
  if (auto user = verified.find(token, now_s)) co_return std::move(*user);
  if (!keys::well_formed(token)) co_await reject_token(ctx, "api_key_malformed");
  const std::string hash = keys::secret_hash(token);
  std::optional<Json> key = co_await keys::key_caller(ctx, hash);
  if (!key) co_await reject_token(ctx, "api_key_unknown_or_revoked");
  User user;
  user.id = string_field(*key, "user_id").value_or("");
  user.role = "authenticated";
  user.key_id = string_field(*key, "id");
  verified.remember(token, user, now_s + kKeyCacheSeconds, now_s);
  co_return user;
}

void forget_api_key(Ctx& ctx, const std::string& key_id) { ctx.isolate().slot<VerifiedTokens>().forget_key(key_id); }

}  // namespace ag::auth
