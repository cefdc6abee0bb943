// Bearer tokens: compact JWS parsing, the signature check against an HS256 secret and a JWKS
// (ES256 key of RFC 7515 A.3), and every claim check. The claims are checked whatever the
// signature check says, so the fuzzer reaches them without forging signatures (ES256 ones are
// the platform's WebCrypto's to verify).
#include <cstdint>
#include <string>

#include "auth/jwks.hpp"
#include "auth/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto keys = ag::auth::parse_jwks(
      R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256",)"
      R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKOWp_Ko4"}]})");
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto parsed = ag::auth::parse_jwt(token);
  if (!parsed) return 0;
  ag::auth::JwtPolicy policy;
  policy.hs256_secret = "fuzz-jwt-secret-with-at-least-32-characters";
  policy.issuer = "https://fuzz.supabase.test/auth/v1";
  ag::auth::check_signature(*parsed.value, policy, keys ? &*keys : nullptr);
  ag::auth::verify_claims(*parsed.value, policy, 1'700'000'000);
  return 0;
}
