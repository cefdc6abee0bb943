#pragma once
// Signature verification for JWS: ECDSA P-256 / SHA-256 (ES256) and RSASSA-PKCS1-v1_5 /
// SHA-256 (RS256). Keys are validated once when built and then shared: copies are cheap
// (one shared mbedTLS context). The Worker only builds keys, to validate a JWKS; it has the
// runtime's WebCrypto verify signatures (auth/platform_signature.hpp), ~50 times cheaper
// than this arithmetic in wasm. The verify functions serve native builds: the unit tests'
// stand-in for that effect.
// NOTE: verifying mutates the shared context (mbedTLS caches precomputed points in it),
// which is fine in a single-threaded isolate but not across threads.
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

namespace ag::crypto {

/// A validated public key on P-256 (secp256r1).
class EcPublicKey {
 public:
  /// From a JWK's base64url `x` and `y` (32 bytes each); nullopt unless the point is on the curve.
  static std::optional<EcPublicKey> from_jwk(std::string_view x_b64url, std::string_view y_b64url);
  /// From big-endian coordinates of 32 bytes each; nullopt unless the point is on the curve.
  static std::optional<EcPublicKey> from_coordinates(std::string_view x, std::string_view y);

  struct State;  // the mbedTLS group and point; defined in verify.cpp

 private:
  explicit EcPublicKey(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
  friend bool ecdsa_p256_verify(const EcPublicKey&, std::string_view, std::string_view);
};

/// A validated RSA public key of 2048 to 8192 bits.
class RsaPublicKey {
 public:
  /// From a JWK's base64url `n` and `e`; nullopt for moduli under 2048 bits or bad exponents.
  static std::optional<RsaPublicKey> from_jwk(std::string_view n_b64url, std::string_view e_b64url);
  /// From the big-endian modulus and exponent.
  static std::optional<RsaPublicKey> from_components(std::string_view n, std::string_view e);

  /// The modulus length in bytes, which is also the length of every valid signature.
  std::size_t size() const;

  struct State;  // the mbedTLS RSA context; defined in verify.cpp

 private:
  explicit RsaPublicKey(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
  friend bool rsa_pkcs1_sha256_verify(const RsaPublicKey&, std::string_view, std::string_view);
};

/// ES256: `raw_signature` is r||s, 32 bytes each (JWS form, not DER). Rejects other lengths
/// and r or s outside [1, n-1]; high-S signatures are valid (ECDSA is not low-S here).
bool ecdsa_p256_verify(const EcPublicKey& key, std::string_view message, std::string_view raw_signature);

/// RS256: RSASSA-PKCS1-v1_5 with SHA-256. The signature must be exactly the modulus length.
bool rsa_pkcs1_sha256_verify(const RsaPublicKey& key, std::string_view message, std::string_view signature);

}  // namespace ag::crypto
