#include "auth/jwks_cache.hpp"

#include <limits>
#include <map>

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

/// One cache per key-set URL; the URLs come from the configuration, so there are few.
struct JwksCaches {
  std::map<std::string, JwksCache, std::less<>> by_url;
};

Task<std::optional<Jwks>> fetch_jwks(Ctx& ctx, const std::string& url) {
  effect::FetchSpec spec;
  spec.url = url;
  spec.headers = {{"accept", "application/json"}};
  spec.timeout_ms = 5000;
  spec.max_bytes = 64 << 10;
  EffectResult reply = co_await ctx.perform(effect::fetch(spec));
  auto status = reply.http_status();
  auto keys = status == 200 ? parse_jwks(reply.body) : std::nullopt;
  if (!keys) {
    log::warn("jwks fetch failed",
              {{"request_id", ctx.request_id()}, {"url", url}, {"status", status}, {"error", reply.error_code()}});
  }
  co_return keys;
}

}  // namespace

Task<std::shared_ptr<const Jwks>> key_set(Ctx& ctx, const std::string& url,
                                          const std::function<bool(const Jwks&)>& lacks_key, ApiError unavailable) {
  JwksCache& cache = ctx.isolate().slot<JwksCaches>().by_url[url];
  const std::int64_t now = ctx.now_ms();
  const bool stale = !cache.keys || now >= cache.fresh_until_ms;
  const bool key_unknown = cache.keys && lacks_key(*cache.keys);
  const bool may_refetch = now - cache.last_kid_refetch_ms >= kJwksRefetchGapMs;
  if (!stale && !(key_unknown && may_refetch)) co_return cache.keys;

  if (!stale) cache.last_kid_refetch_ms = now;  // before the await: concurrent requests wait it out
  std::optional<Jwks> fetched = co_await fetch_jwks(ctx, url);
  if (fetched) {
    cache.keys = std::make_shared<const Jwks>(std::move(*fetched));
    cache.fresh_until_ms = ctx.now_ms() + kJwksTtlMs;
  } else if (cache.keys) {
    // Keep serving the keys we have; try again after the refetch gap, not on every request.
    cache.fresh_until_ms = ctx.now_ms() + kJwksRefetchGapMs;
  } else {
    co_await ctx.raise(std::move(unavailable));
  }
  co_return cache.keys;
}

Task<std::shared_ptr<const Jwks>> signing_keys(Ctx& ctx, const std::optional<std::string>& kid) {
  const std::string url = supabase_issuer(*supabase_base(ctx.config())) + "/.well-known/jwks.json";
  const std::function<bool(const Jwks&)> lacks_key = [&kid](const Jwks& keys) {
    return kid && keys.find(*kid) == nullptr;
  };
  ApiError unavailable = errors::provider_error("the auth provider's signing keys are unavailable");
  co_return co_await key_set(ctx, url, lacks_key, std::move(unavailable));
}

}  // namespace ag::auth
