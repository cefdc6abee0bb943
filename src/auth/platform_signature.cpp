#include "auth/platform_signature.hpp"

#include "core/effects.hpp"
#include "core/log.hpp"

namespace ag::auth {

Task<std::string> verify_with_platform(Ctx& ctx, const Jwk& key, const ParsedJwt& jwt) {
  EffectResult result =
      co_await ctx.perform(effect::crypto_verify(key.alg, key.members, jwt.signing_input, jwt.signature));
  if (result.failed()) {
    log::warn("signature check failed",
              {{"request_id", ctx.request_id()}, {"alg", key.alg}, {"error", result.error_code()}});
    co_return "signature_unverifiable";
  }
  co_return bool_field(result.value, "valid").value_or(false) ? "" : "bad_signature";
}

}  // namespace ag::auth
