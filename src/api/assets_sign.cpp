// POST /assets/sign {"key","expires_in"?}: a link to GET /assets/<key> that works without
// credentials until it expires (assets/signed_url.hpp).
#include "http/base_url.hpp"
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "assets/access.hpp"
#include "assets/key.hpp"
#include "assets/signed_url.hpp"
#include "auth/require.hpp"
#include "core/time.hpp"

namespace ag::api {

Task<Response> sign_asset(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  Json body = co_await http::read_json_object(ctx, request);

  auto key = string_field(body, "key");
  if (!key) co_await ctx.raise(errors::invalid_request("key must be a string"));
  if (auto problem = assets::key_problem(*key)) co_await ctx.raise(errors::invalid_request(*problem));
  std::int64_t expires_in = assets::kDefaultSignedUrlSeconds;
  if (body.contains("expires_in")) {
    auto given = int_field(body, "expires_in");
    if (!given || *given < 1 || *given > assets::kMaxSignedUrlSeconds)
      co_await ctx.raise(errors::invalid_request("expires_in must be an integer from 1 to 604800 seconds"));
    expires_in = *given;
  }
  if (!assets::may_manage(caller, *key)) co_await ctx.raise(errors::forbidden("this asset belongs to someone else"));

  auto secret = assets::signing_secret(ctx.config());
  if (!secret) co_return http::not_configured("asset_signing_not_configured");
  const std::int64_t expires = ctx.now_ms() / 1000 + expires_in;
  std::string url = assets::signed_url(*secret, http::public_base_url(ctx.config(), request), *key, expires);
  co_return json_response(200, {{"ok", true}, {"url", url}, {"expires_at", iso8601_utc(expires * 1000)}});
}

}  // namespace ag::api
