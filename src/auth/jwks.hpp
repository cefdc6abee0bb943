#pragma once
// A JSON Web Key Set (RFC 7517) reduced to the keys we can verify JWS with: EC P-256 for
// ES256 and RSA for RS256, indexed by `kid`. Parsing never fails the whole set because of
// one key it cannot use; such keys are skipped. Each kept key was validated here (point on
// the curve, RSA modulus of 2048 to 8192 bits); the signatures themselves are checked by
// the runtime's WebCrypto (auth/platform_signature.hpp), which imports the key's members.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::auth {

/// One usable signing key.
struct Jwk {
  std::string alg;  // the one algorithm it verifies: "ES256" (EC P-256) or "RS256" (RSA)
  Json members;     // the public JWK members: {kty, crv, x, y} or {kty, n, e}
};

/// The usable keys of a key set, by `kid`.
struct Jwks {
  std::map<std::string, Jwk, std::less<>> by_kid;

  /// The key with this `kid`, or nullptr.
  const Jwk* find(std::string_view kid) const;
  bool empty() const { return by_kid.empty(); }
};

/// Parses `{"keys":[...]}`; nullopt when the document is not a key set at all.
std::optional<Jwks> parse_jwks(std::string_view json);

}  // namespace ag::auth
