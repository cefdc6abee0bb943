#include "jobs/asset_inputs.hpp"

#include "assets/access.hpp"
#include "assets/signed_url.hpp"

namespace ag::jobs {

Task<> link_assets(Ctx& ctx, const auth::Caller& caller, const std::string& base_url, std::int64_t expires_s,
                   Quote& quote) {
  if (quote.assets.empty()) co_return;
  const std::optional<std::string> secret = assets::signing_secret(ctx.config());
  if (!secret)
    co_await ctx.raise(errors::invalid_request(
        "asset inputs need asset signing (ASSET_SIGNING_SECRET or APP_ADMIN_TOKEN) configured"));
  for (const inputs::AssetInput& asset : quote.assets) {
    if (!assets::may_read(caller, asset.key))
      co_await ctx.raise(errors::forbidden("input." + asset.field + " names an asset of someone else"));
    quote.provider_input[quote.provider_names.value(asset.field, asset.field)] =
        assets::signed_url(*secret, base_url, asset.key, expires_s);
  }
}

}  // namespace ag::jobs
