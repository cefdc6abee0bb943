#include "crypto/verify.hpp"

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include <string>
#include <utility>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::crypto {

struct EcPublicKey::State {
  mbedtls_ecp_group group;
  mbedtls_ecp_point point;
  State() {
    mbedtls_ecp_group_init(&group);
    mbedtls_ecp_point_init(&point);
  }
  ~State() {
    mbedtls_ecp_point_free(&point);
    mbedtls_ecp_group_free(&group);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

struct RsaPublicKey::State {
  mbedtls_rsa_context rsa;
  State() { mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0); }
  ~State() { mbedtls_rsa_free(&rsa); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

namespace {

constexpr std::size_t kP256FieldBytes = 32;
constexpr std::size_t kRsaMinBits = 2048;
constexpr std::size_t kRsaMaxBits = 8192;
// Real exponents are 65537 (3 bytes); a huge one would only make every verify slow.
constexpr std::size_t kRsaMaxExponentBytes = 8;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct Mpi {
  mbedtls_mpi value;
  Mpi() { mbedtls_mpi_init(&value); }
  ~Mpi() { mbedtls_mpi_free(&value); }
  Mpi(const Mpi&) = delete;
  Mpi& operator=(const Mpi&) = delete;
};

/// A JWK's two base64url members decoded; nullopt unless both decode.
std::optional<std::pair<std::string, std::string>> decoded_pair(std::string_view first, std::string_view second) {
  auto a = base64url_decode(first);
  auto b = base64url_decode(second);
  if (!a || !b) return std::nullopt;
  return std::pair(std::move(*a), std::move(*b));
}

// 1 <= v < n, as ECDSA requires of r and s.
bool in_scalar_range(const mbedtls_mpi& v, const mbedtls_mpi& n) {
  return mbedtls_mpi_cmp_int(&v, 1) >= 0 && mbedtls_mpi_cmp_mpi(&v, &n) < 0;
}

}  // namespace

std::optional<EcPublicKey> EcPublicKey::from_jwk(std::string_view x_b64url, std::string_view y_b64url) {
  auto xy = decoded_pair(x_b64url, y_b64url);
  return xy ? from_coordinates(xy->first, xy->second) : std::nullopt;
}

std::optional<EcPublicKey> EcPublicKey::from_coordinates(std::string_view x, std::string_view y) {
  // RFC 7518 §6.2.1.2: coordinates are the full field size, never shortened.
  if (x.size() != kP256FieldBytes || y.size() != kP256FieldBytes) return std::nullopt;
  auto state = std::make_shared<State>();
  if (mbedtls_ecp_group_load(&state->group, MBEDTLS_ECP_DP_SECP256R1) != 0) return std::nullopt;
  std::string uncompressed = "\x04";
  uncompressed.append(x).append(y);
  if (mbedtls_ecp_point_read_binary(&state->group, &state->point, bytes(uncompressed), uncompressed.size()) != 0) {
    return std::nullopt;
  }
  // Coordinates in range and y^2 = x^3 - 3x + b: an off-curve point would open
  // invalid-curve attacks on anyone who trusted it.
  if (mbedtls_ecp_check_pubkey(&state->group, &state->point) != 0) return std::nullopt;
  return EcPublicKey(std::move(state));
}

std::optional<RsaPublicKey> RsaPublicKey::from_jwk(std::string_view n_b64url, std::string_view e_b64url) {
  auto ne = decoded_pair(n_b64url, e_b64url);
  return ne ? from_components(ne->first, ne->second) : std::nullopt;
}

std::optional<RsaPublicKey> RsaPublicKey::from_components(std::string_view n, std::string_view e) {
  if (n.empty() || e.empty() || e.size() > kRsaMaxExponentBytes) return std::nullopt;
  if (n.size() > kRsaMaxBits / 8 + 1) return std::nullopt;  // +1: a leading zero byte
  auto state = std::make_shared<State>();
  mbedtls_rsa_context* rsa = &state->rsa;
  if (mbedtls_rsa_import_raw(rsa, bytes(n), n.size(), nullptr, 0, nullptr, 0, nullptr, 0, bytes(e), e.size()) != 0 ||
      mbedtls_rsa_complete(rsa) != 0 || mbedtls_rsa_check_pubkey(rsa) != 0) {
    return std::nullopt;
  }
  Mpi modulus;
  if (mbedtls_rsa_export(rsa, &modulus.value, nullptr, nullptr, nullptr, nullptr) != 0) return std::nullopt;
  std::size_t bits = mbedtls_mpi_bitlen(&modulus.value);
  if (bits < kRsaMinBits || bits > kRsaMaxBits) return std::nullopt;
  return RsaPublicKey(std::move(state));
}

std::size_t RsaPublicKey::size() const { return mbedtls_rsa_get_len(&state_->rsa); }

bool ecdsa_p256_verify(const EcPublicKey& key, std::string_view message, std::string_view raw_signature) {
  if (raw_signature.size() != 2 * kP256FieldBytes) return false;
  EcPublicKey::State& state = *key.state_;
  Mpi r, s;
  if (mbedtls_mpi_read_binary(&r.value, bytes(raw_signature), kP256FieldBytes) != 0 ||
      mbedtls_mpi_read_binary(&s.value, bytes(raw_signature) + kP256FieldBytes, kP256FieldBytes) != 0) {
    return false;
  }
  // mbedtls_ecdsa_verify checks this too; checking here keeps the rule visible and
  // independent of the library version.
  if (!in_scalar_range(r.value, state.group.N) || !in_scalar_range(s.value, state.group.N)) return false;
  Sha256Digest digest = sha256(message);
  return mbedtls_ecdsa_verify(&state.group, digest.data(), digest.size(), &state.point, &r.value, &s.value) == 0;
}

bool rsa_pkcs1_sha256_verify(const RsaPublicKey& key, std::string_view message, std::string_view signature) {
  if (signature.size() != key.size()) return false;
  Sha256Digest digest = sha256(message);
  // PKCS#1 v1.5 verification in mbedTLS re-encodes the expected DigestInfo and compares the
  // whole block, so there is no lenient ASN.1 parsing to exploit (no Bleichenbacher '06).
  return mbedtls_rsa_pkcs1_verify(&key.state_->rsa, nullptr, nullptr, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
                                  static_cast<unsigned int>(digest.size()), digest.data(), bytes(signature)) == 0;
}

}  // namespace ag::crypto
