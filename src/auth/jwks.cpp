#include "auth/jwks.hpp"

#include "core/json.hpp"
#include "crypto/encoding.hpp"
#include "crypto/verify.hpp"

namespace ag::auth {
namespace {

// A key is usable for verifying JWS unless it says otherwise: `use` other than "sig", or
// `key_ops` without "verify" (RFC 7517 §4.2, §4.3).
bool meant_for_verifying(const Json& jwk) {
  if (jwk.contains("use")) {
    auto use = string_field(jwk, "use");
    if (!use || *use != "sig") return false;
  }
  if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    if (!ops->is_array()) return false;
    for (const Json& op : *ops) {
      if (op.is_string() && op.get_ref<const std::string&>() == "verify") return true;
    }
    return false;
  }
  return true;
}

std::optional<Jwk> usable_key(const Json& jwk) {
  if (!jwk.is_object() || !meant_for_verifying(jwk)) return std::nullopt;
  auto kty = string_field(jwk, "kty");
  if (!kty) return std::nullopt;
  std::optional<std::string> alg;
  if (jwk.contains("alg")) {
    alg = string_field(jwk, "alg");
    if (!alg) return std::nullopt;
  }

  if (*kty == "EC") {
    if (alg && *alg != "ES256") return std::nullopt;
    auto crv = string_field(jwk, "crv");
    auto x = string_field(jwk, "x");
    auto y = string_field(jwk, "y");
    if (!crv || *crv != "P-256" || !x || !y) return std::nullopt;
    if (!crypto::EcPublicKey::from_jwk(*x, *y)) return std::nullopt;
    return Jwk{"ES256", {{"kty", "EC"}, {"crv", "P-256"}, {"x", *x}, {"y", *y}}};
  }
  if (*kty == "RSA") {
    if (alg && *alg != "RS256") return std::nullopt;
    auto n = string_field(jwk, "n");
    auto e = string_field(jwk, "e");
    if (!n || !e) return std::nullopt;
    if (!crypto::RsaPublicKey::from_jwk(*n, *e)) return std::nullopt;
    return Jwk{"RS256", {{"kty", "RSA"}, {"n", *n}, {"e", *e}}};
  }
  if (*kty == "OKP") {
    if (alg && *alg != "EdDSA") return std::nullopt;
    auto crv = string_field(jwk, "crv");
    auto x = string_field(jwk, "x");
    if (!crv || *crv != "Ed25519" || !x) return std::nullopt;
    // The point itself is checked by WebCrypto's import; its length is all we can see here.
    auto point = crypto::base64url_decode(*x);
    if (!point || point->size() != 32) return std::nullopt;
    return Jwk{"EdDSA", {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", *x}}};
  }
  // "oct" keys never come from a public JWKS, and HS256 is configured as a secret instead;
  // anything else is simply not supported.
  return std::nullopt;
}

}  // namespace

const Jwk* Jwks::find(std::string_view kid) const {
  auto it = by_kid.find(kid);
  return it == by_kid.end() ? nullptr : &it->second;
}

std::optional<Jwks> parse_jwks(std::string_view json) {
  auto document = parse_json(json);
  if (!document || !document->is_object()) return std::nullopt;
  auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) return std::nullopt;

  Jwks jwks;
  for (const Json& entry : *keys) {
    auto key = usable_key(entry);
    if (!key) continue;
    // Without a kid a key cannot be selected, only tried.
    auto kid = string_field(entry, "kid");
    if (!kid && entry.contains("kid")) continue;
    if (!kid) {
      jwks.without_kid.push_back(std::move(*key));
      continue;
    }
    // The first key with a kid wins; a duplicate is an issuer's mistake, not a new key.
    jwks.by_kid.emplace(std::move(*kid), std::move(*key));
  }
  return jwks;
}

}  // namespace ag::auth
