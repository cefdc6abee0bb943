#include "jobs/asset_inputs.hpp"

#include "assets/access.hpp"
#include "assets/objects.hpp"
#include "assets/signed_url.hpp"
#include "core/effects.hpp"
#include "core/r2_reply.hpp"

namespace ag::jobs {

Task<> link_assets(Ctx& ctx, const auth::Caller& caller, const std::string& base_url, std::int64_t expires_s,
                   Quote& quote) {
  if (quote.assets.empty()) co_return;
  const std::optional<std::string> secret = assets::signing_secret(ctx.config());
  if (!secret)
    co_await ctx.raise(errors::invalid_request(
        "asset inputs need asset signing (ASSET_SIGNING_SECRET or APP_ADMIN_TOKEN) configured"));
  std::vector<Json> heads;
  for (const inputs::AssetInput& asset : quote.assets) {
    if (!assets::may_read(caller, asset.key))
      co_await ctx.raise(errors::forbidden("input." + asset.field + " names an asset of someone else"));
    heads.push_back(effect::r2_head(asset.key));
  }
  // A missing file is refused before anything is charged, not found by the provider later.
  std::vector<EffectResult> found = co_await ctx.perform_all(std::move(heads));
  for (std::size_t i = 0; i < found.size(); ++i) {
    const inputs::AssetInput& asset = quote.assets[i];
    if (found[i].failed()) co_await assets::raise_storage_failure(ctx, found[i]);
    if (!effect::found_r2_object(found[i]))
      co_await ctx.raise(errors::invalid_input("input." + asset.field + " names no stored asset"));
    quote.provider_input[quote.provider_names.value(asset.field, asset.field)] =
        assets::signed_url(*secret, base_url, asset.key, expires_s);
  }
}

}  // namespace ag::jobs
