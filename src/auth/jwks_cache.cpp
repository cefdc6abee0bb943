#include "auth/jwks_cache.hpp"

#include <limits>

#include "auth/supabase_config.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"

namespace ag::auth {
namespace {

struct JwksCache {
  std::shared_ptr<const Jwks> keys;
  std::int64_t fresh_until_ms = 0;
  std::int64_t last_kid_refetch_ms = std::numeric_limits<std::int64_t>::min() / 2;
};

Task<std::optional<Jwks>> fetch_jwks(Ctx& ctx) {
  effect::FetchSpec spec;
  spec.url = supabase_issuer(*supabase_base(ctx.config())) + "/.well-known/jwks.json";
  spec.headers = {{"accept", "application/json"}};
  spec.timeout_ms = 5000;
  spec.max_bytes = 64 << 10;
  EffectResult reply = co_await ctx.perform(effect::fetch(spec));
  auto status = reply.http_status();
  auto keys = status == 200 ? parse_jwks(reply.body) : std::nullopt;
  if (!keys) {
    log::warn("jwks fetch failed",
              {{"request_id", ctx.request_id()}, {"status", status}, {"error", reply.error_code()}});
  }
  co_return keys;
}

}  // namespace

Task<std::shared_ptr<const Jwks>> signing_keys(Ctx& ctx, const std::optional<std::string>& kid) {
  JwksCache& cache = ctx.isolate().slot<JwksCache>();
  const std::int64_t now = ctx.now_ms();
  const bool stale = !cache.keys || now >= cache.fresh_until_ms;
  const bool kid_unknown = cache.keys && kid && cache.keys->find(*kid) == nullptr;
  const bool may_refetch = now - cache.last_kid_refetch_ms >= kJwksRefetchGapMs;
  if (!stale && !(kid_unknown && may_refetch)) co_return cache.keys;

  if (!stale) cache.last_kid_refetch_ms = now;  // before the await: concurrent requests wait it out
  std::optional<Jwks> fetched = co_await fetch_jwks(ctx);
  if (fetched) {
    cache.keys = std::make_shared<const Jwks>(std::move(*fetched));
    cache.fresh_until_ms = ctx.now_ms() + kJwksTtlMs;
  } else if (cache.keys) {
    // Keep serving the keys we have; try again after the refetch gap, not on every request.
    cache.fresh_until_ms = ctx.now_ms() + kJwksRefetchGapMs;
  } else {
    co_await ctx.raise(errors::provider_error("the auth provider's signing keys are unavailable"));
  }
  co_return cache.keys;
}

}  // namespace ag::auth
