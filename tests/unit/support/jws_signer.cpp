#include "support/jws_signer.hpp"

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>

#include <cstdint>
#include <stdexcept>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::test {
namespace {

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string b64u_bytes(std::string_view text) {
  auto decoded = crypto::base64url_decode(text);
  if (!decoded) throw std::runtime_error("bad base64url in a test key");
  return *decoded;
}

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + " failed: " + std::to_string(rc));
}

// Blinding randomness for the private-key operations; predictability is harmless in tests.
int test_rng(void* state, unsigned char* out, std::size_t size) {
  auto* x = static_cast<std::uint64_t*>(state);
  for (std::size_t i = 0; i < size; ++i) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    out[i] = static_cast<unsigned char>(*x);
  }
  return 0;
}

struct Mpi {
  mbedtls_mpi v;
  Mpi() { mbedtls_mpi_init(&v); }
  ~Mpi() { mbedtls_mpi_free(&v); }
};

}  // namespace

std::string signing_input(const Json& header, const Json& claims) {
  return crypto::base64url_encode(dump(header)) + "." + crypto::base64url_encode(dump(claims));
}

std::string hs256_sign(std::string_view secret, std::string_view message) {
  return std::string(crypto::as_bytes(crypto::hmac_sha256(secret, message)));
}

std::string es256_sign(std::string_view message) {
  mbedtls_ecp_group group;
  mbedtls_ecp_group_init(&group);
  Mpi d, r, s;
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto digest = crypto::sha256(message);
  std::string d_bytes = b64u_bytes(kRfcEcD);
  unsigned char out[64];
  int rc = mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1);
  if (rc == 0) rc = mbedtls_mpi_read_binary(&d.v, bytes(d_bytes), d_bytes.size());
  if (rc == 0) {
    rc = mbedtls_ecdsa_sign_det_ext(&group, &r.v, &s.v, &d.v, digest.data(), digest.size(), MBEDTLS_MD_SHA256, test_rng,
                                    &seed);
  }
  if (rc == 0) rc = mbedtls_mpi_write_binary(&r.v, out, 32);
  if (rc == 0) rc = mbedtls_mpi_write_binary(&s.v, out + 32, 32);
  mbedtls_ecp_group_free(&group);
  check(rc, "es256_sign");
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string rs256_sign(std::string_view message) {
  std::string n = b64u_bytes(kRfcRsaN), e = b64u_bytes(kRfcRsaE), d = b64u_bytes(kRfcRsaD);
  std::string p = b64u_bytes(kRfcRsaP), q = b64u_bytes(kRfcRsaQ);
  mbedtls_rsa_context rsa;
  mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0);
  std::uint64_t seed = 0xD1B54A32D192ED03ull;
  auto digest = crypto::sha256(message);
  std::string signature(n.size(), '\0');
  int rc = mbedtls_rsa_import_raw(&rsa, bytes(n), n.size(), bytes(p), p.size(), bytes(q), q.size(), bytes(d), d.size(),
                                  bytes(e), e.size());
  if (rc == 0) rc = mbedtls_rsa_complete(&rsa);
  if (rc == 0) {
    rc = mbedtls_rsa_pkcs1_sign(&rsa, test_rng, &seed, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256,
                                static_cast<unsigned int>(digest.size()), digest.data(),
                                reinterpret_cast<unsigned char*>(signature.data()));
  }
  mbedtls_rsa_free(&rsa);
  check(rc, "rs256_sign");
  return signature;
}

std::string compact(std::string_view signing_input, std::string_view signature) {
  return std::string(signing_input) + "." + crypto::base64url_encode(signature);
}

std::string es256_token(const Json& claims, std::string_view kid) {
  std::string input = signing_input({{"alg", "ES256"}, {"kid", kid}, {"typ", "JWT"}}, claims);
  return compact(input, es256_sign(input));
}

std::string rs256_token(const Json& claims, std::string_view kid) {
  std::string input = signing_input({{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}}, claims);
  return compact(input, rs256_sign(input));
}

std::string hs256_token(const Json& claims, std::string_view secret, const Json& header) {
  std::string input = signing_input(header, claims);
  return compact(input, hs256_sign(secret, input));
}

Json ec_jwk(std::string_view kid) {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kRfcEcX}, {"y", kRfcEcY},
          {"kid", kid},  {"alg", "ES256"}, {"use", "sig"}};
}

Json rsa_jwk(std::string_view kid) {
  return {{"kty", "RSA"}, {"n", kRfcRsaN}, {"e", kRfcRsaE}, {"kid", kid}, {"alg", "RS256"}};
}

}  // namespace ag::test
