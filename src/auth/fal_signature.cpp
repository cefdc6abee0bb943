#include "auth/fal_signature.hpp"

#include <functional>
#include <vector>

#include "auth/jwks_cache.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"
#include "crypto/fal_webhook.hpp"

namespace ag::auth {
namespace {

/// "" when a key of `keys` verifies `prepared`; else "bad_signature", or
/// "signature_unverifiable" when the platform could check none of them.
Task<std::string> check_with(Ctx& ctx, const Jwks& keys, const fal_webhook::Prepared& prepared) {
  std::vector<Json> checks;
  auto add = [&](const Jwk& key) {
    if (key.alg == "EdDSA")
      checks.push_back(effect::crypto_verify(key.alg, key.members, prepared.message, prepared.signature));
  };
  for (const auto& [kid, key] : keys.by_kid) add(key);
  for (const Jwk& key : keys.without_kid) add(key);
  if (checks.empty()) co_return "bad_signature";
  std::vector<EffectResult> results = co_await ctx.perform_all(std::move(checks));
  bool checked = false;
  for (const EffectResult& result : results) {
    if (bool_field(result.value, "valid").value_or(false)) co_return "";
    checked = checked || !result.failed();
    if (result.failed())
      log::warn("signature check failed",
                {{"request_id", ctx.request_id()}, {"alg", "EdDSA"}, {"error", result.error_code()}});
  }
  co_return checked ? "bad_signature" : "signature_unverifiable";
}

ApiError keys_unavailable() { return errors::provider_error("fal's webhook signing keys are unavailable"); }

}  // namespace

Task<std::string> verify_fal_webhook(Ctx& ctx, const Request& request, std::string_view raw_body,
                                     const std::string& jwks_url) {
  auto header = [&](std::string_view name) { return request.header(name).value_or(""); };
  fal_webhook::Prepared prepared = fal_webhook::prepare(
      header("x-fal-webhook-request-id"), header("x-fal-webhook-user-id"), header("x-fal-webhook-timestamp"),
      header("x-fal-webhook-signature"), raw_body, ctx.now_ms() / 1000);
  if (prepared.check != fal_webhook::Check::ready) co_return std::string(fal_webhook::to_string(prepared.check));

  const std::function<bool(const Jwks&)> as_cached = [](const Jwks&) { return false; };
  const std::function<bool(const Jwks&)> refetch = [](const Jwks&) { return true; };
  auto cached = co_await key_set(ctx, jwks_url, as_cached, keys_unavailable());
  std::string outcome = co_await check_with(ctx, *cached, prepared);
  if (outcome.empty()) co_return outcome;
  // No cached key verifies it: a forgery, or a key fal has rotated in since the fetch.
  auto fresh = co_await key_set(ctx, jwks_url, refetch, keys_unavailable());
  if (fresh == cached) co_return outcome;
  co_return co_await check_with(ctx, *fresh, prepared);
}

}  // namespace ag::auth
