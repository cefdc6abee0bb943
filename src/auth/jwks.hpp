#pragma once
// A JSON Web Key Set (RFC 7517) reduced to the keys we can verify signatures with: EC P-256
// for ES256, RSA for RS256 and OKP Ed25519 for EdDSA (RFC 8037; fal signs its webhooks so),
// indexed by `kid`. Parsing never fails the whole set because of
// one key it cannot use; such keys are skipped. Each kept key was validated here (point on
// the curve, RSA modulus of 2048 to 8192 bits); the signatures themselves are checked by
// the runtime's WebCrypto (auth/platform_signature.hpp), which imports the key's members.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ag::auth {

/// One usable signing key.
struct Jwk {
  std::string alg;  // the one algorithm it verifies: "ES256" (EC P-256), "RS256" (RSA), "EdDSA" (Ed25519)
  Json members;     // the public JWK members: {kty, crv, x, y}, {kty, n, e} or {kty, crv, x}
};

/// The usable keys of a key set, by `kid`.
struct Jwks {
  std::map<std::string, Jwk, std::less<>> by_kid;
  /// The usable keys that have no `kid`: a verifier told no kid tries every key (fal's webhooks).
  std::vector<Jwk> without_kid;

  /// The key with this `kid`, or nullptr.
  const Jwk* find(std::string_view kid) const;
  bool empty() const { return by_kid.empty(); }
};

/// Parses `{"keys":[...]}`; nullopt when the document is not a key set at all.
std::optional<Jwks> parse_jwks(std::string_view json);

}  // namespace ag::auth
