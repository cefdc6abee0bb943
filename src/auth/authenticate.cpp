#include "auth/authenticate.hpp"

#include "auth/admin.hpp"
#include "auth/api_key.hpp"
#include "auth/bearer.hpp"
#include "auth/jwks_cache.hpp"
#include "auth/jwt.hpp"
#include "auth/platform_signature.hpp"
#include "auth/refusal.hpp"
#include "auth/supabase_config.hpp"
#include "auth/supabase_remote.hpp"
#include "auth/token_cache.hpp"
#include "keys/secret.hpp"

namespace ag::auth {
namespace {

bool is_asymmetric(const std::string& alg) { return alg == "ES256" || alg == "RS256"; }

Task<User> verify_token(Ctx& ctx, std::string_view token) {
  const Config& config = ctx.config();
  const std::int64_t now_s = ctx.now_ms() / 1000;
  VerifiedTokens& verified = ctx.isolate().slot<VerifiedTokens>();
  if (auto user = verified.find(token, now_s)) co_return std::move(*user);

  auto parsed = parse_jwt(token);
  if (!parsed) co_await reject_token(ctx, parsed.error);
  const ParsedJwt& jwt = *parsed.value;

  auto secret = config.get("SUPABASE_JWT_SECRET");
  if (jwt.alg == "HS256" && !secret && remote_auth_configured(config)) {
    co_return co_await fetch_remote_user(ctx, token);
  }

  auto base = supabase_base(config);
  JwtPolicy policy;
  if (secret) policy.hs256_secret = std::string(*secret);
  if (base) policy.issuer = supabase_issuer(*base);
  // HS256 is checked against the shared secret only, never against JWKS key material.
  std::shared_ptr<const Jwks> keys;
  if (base && is_asymmetric(jwt.alg)) keys = co_await signing_keys(ctx, jwt.kid);

  // The signature comes first: nothing about the claims of an unauthenticated token is
  // worth reporting.
  auto key = check_signature(jwt, policy, keys.get());
  if (!key) co_await reject_token(ctx, key.error);
  if (const Jwk* asymmetric = *key.value) {
    std::string error = co_await verify_with_platform(ctx, *asymmetric, jwt);
    if (!error.empty()) co_await reject_token(ctx, error);
  }
  auto claims = verify_claims(jwt, policy, now_s);
  if (!claims) co_await reject_token(ctx, claims.error);
  User user{claims.value->sub, claims.value->email, claims.value->role, claims.value->is_anonymous, std::nullopt};
  verified.remember(token, user, claims.value->exp, now_s);
  co_return user;
}

}  // namespace

Task<User> authenticate_user(Ctx& ctx, const Request& request) {
  auto token = bearer_token(request);
  if (!token) co_await ctx.raise(errors::unauthorized("a bearer token is required"));
  User user;
  if (keys::is_api_key(*token)) {
    user = co_await verify_api_key(ctx, *token);
  } else {
    if (!user_auth_configured(ctx.config())) co_await reject_token(ctx, "user_auth_not_configured");
    user = co_await verify_token(ctx, *token);
  }
  ctx.set_user_id(user.id);
  co_return user;
}

Task<Caller> identify(Ctx& ctx, const Request& request) {
  if (!request.header("authorization")) co_return Caller{};
  if (is_admin(ctx.config(), request)) co_return Caller{true, std::nullopt};
  User user = co_await authenticate_user(ctx, request);
  co_return Caller{false, std::move(user)};
}

}  // namespace ag::auth
