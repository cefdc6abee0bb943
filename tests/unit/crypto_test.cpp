#include <catch2/catch.hpp>

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>

#include <string>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "crypto/verify.hpp"
#include "support/jws_signer.hpp"

using namespace ag;
using namespace ag::crypto;

namespace {

std::string hex(const Sha256Digest& digest) { return hex_encode(as_bytes(digest)); }

std::string unhex(std::string_view text) {
  auto bytes = hex_decode(text);
  REQUIRE(bytes);
  return *bytes;
}

std::string b64u(std::string_view text) {
  auto bytes = base64url_decode(text);
  REQUIRE(bytes);
  return *bytes;
}

// RFC 7515 Appendix A.2 and A.3: signing inputs and signatures.
constexpr std::string_view kRfcPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const std::string kA2Input = "eyJhbGciOiJSUzI1NiJ9." + std::string(kRfcPayload);
constexpr std::string_view kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1"
    "dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--"
    "xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";
const std::string kA3Input = "eyJhbGciOiJFUzI1NiJ9." + std::string(kRfcPayload);
constexpr std::string_view kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// The order of the P-256 group (FIPS 186-4 D.1.2.3).
constexpr std::string_view kP256N = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

EcPublicKey rfc_ec_key() {
  auto key = EcPublicKey::from_jwk(test::kRfcEcX, test::kRfcEcY);
  REQUIRE(key);
  return *key;
}

RsaPublicKey rfc_rsa_key() {
  auto key = RsaPublicKey::from_jwk(test::kRfcRsaN, test::kRfcRsaE);
  REQUIRE(key);
  return *key;
}

std::string flip_bit(std::string s, std::size_t index, unsigned bit = 0) {
  s[index] = static_cast<char>(s[index] ^ (1u << bit));
  return s;
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180 examples", "[crypto][sha256]") {
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(sha256(std::string(1000000, 'a'))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[crypto][hmac]") {
  // Test cases 1-4, 6, 7; case 5 is published truncated to 128 bits, so compare its prefix.
  CHECK(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hex(hmac_sha256(std::string(20, '\xaa'), std::string(50, '\xdd'))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  CHECK(hex(hmac_sha256(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'))) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  CHECK(hex(hmac_sha256(std::string(20, '\x0c'), "Test With Truncation")).substr(0, 32) ==
        "a3b6167473100ee06e0c796c2955552b");
  CHECK(hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(hex(hmac_sha256(std::string(131, '\xaa'),
                        "This is a test using a larger than block-size key and a larger than block-size data. The "
                        "key needs to be hashed before being used by the HMAC algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA256 reproduces the RFC 7515 A.1 signature", "[crypto][hmac]") {
  const std::string input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + std::string(kRfcPayload);
  CHECK(base64url_encode(as_bytes(hmac_sha256(b64u(test::kRfcHmacK), input))) ==
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("hex round trip and rejects", "[crypto][encoding]") {
  CHECK(hex_encode("") == "");
  CHECK(hex_encode("foobar") == "666f6f626172");
  CHECK(hex_encode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(hex_decode("666F6f626172") == "foobar");
  CHECK(hex_decode("") == "");
  CHECK_FALSE(hex_decode("6"));
  CHECK_FALSE(hex_decode("6g"));
  CHECK_FALSE(hex_decode("66 6f"));
  CHECK_FALSE(hex_decode("0x66"));
}

TEST_CASE("base64 matches RFC 4648 section 10", "[crypto][encoding]") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == plain);
    std::string url = encoded;
    while (!url.empty() && url.back() == '=') url.pop_back();
    CHECK(base64url_encode(plain) == url);
    CHECK(base64url_decode(url) == plain);
  }
  // The two alphabets differ in the last two characters.
  const std::string high("\xfb\xff\xbf", 3);
  CHECK(base64_encode(high) == "+/+/");
  CHECK(base64url_encode(high) == "-_-_");
  CHECK(base64_decode("+/+/") == high);
  CHECK(base64url_decode("-_-_") == high);
}

TEST_CASE("base64 decoding is strict", "[crypto][encoding]") {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "=Zm9", "Zm=v", "Zm9v=", "Zm9v\n", " Zm9v", "Zm9vYg=\n",
                          "-_-_", "Zh==", "Zm9="}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad));
  }
  // "Zh==" and "Zm9=" carry non-zero unused bits: "Zg==" and "Zm8=" are the canonical forms.
  CHECK(base64_decode("Zg==") == "f");
  CHECK(base64_decode("Zm8=") == "fo");
}

TEST_CASE("base64url decoding is strict", "[crypto][encoding]") {
  for (const char* bad : {"Zg==", "Zm8=", "Z", "Zm9vY", "+/+/", "Zm9v.", "Zm 9v", "Zm9v\n", "Zh", "Zm9", "Zm%3D"}) {
    INFO(bad);
    CHECK_FALSE(base64url_decode(bad));
  }
  CHECK(base64url_decode("") == "");
}

TEST_CASE("ES256 verifies the RFC 7515 A.3 signature", "[crypto][ecdsa]") {
  auto key = rfc_ec_key();
  const std::string signature = b64u(kA3Signature);
  REQUIRE(signature.size() == 64);
  CHECK(ecdsa_p256_verify(key, kA3Input, signature));
  // Copies share the validated key.
  EcPublicKey copy = key;
  CHECK(ecdsa_p256_verify(copy, kA3Input, signature));

  CHECK_FALSE(ecdsa_p256_verify(key, flip_bit(kA3Input, 30), signature));
  CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, flip_bit(signature, 5)));
  CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, flip_bit(signature, 40)));
  CHECK_FALSE(ecdsa_p256_verify(key, kA3Input + " ", signature));
}

TEST_CASE("ES256 edge cases in the Wycheproof spirit", "[crypto][ecdsa]") {
  auto key = rfc_ec_key();
  const std::string signature = b64u(kA3Signature);
  const std::string r = signature.substr(0, 32), s = signature.substr(32);
  const std::string n = unhex(kP256N);
  const std::string zero(32, '\0');

  SECTION("wrong lengths") {
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, signature.substr(0, 63)));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, signature + '\0'));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, std::string(1, '\0') + signature));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, ""));
  }
  SECTION("r or s zero or not below n") {
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, zero + s));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, r + zero));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, zero + zero));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, n + s));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, r + n));
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, std::string(32, '\xff') + s));
  }
  SECTION("high S (n - s) is as valid as s") {
    mbedtls_mpi n_mpi, s_mpi, high;
    mbedtls_mpi_init(&n_mpi);
    mbedtls_mpi_init(&s_mpi);
    mbedtls_mpi_init(&high);
    std::string high_s(32, '\0');
    REQUIRE(mbedtls_mpi_read_binary(&n_mpi, reinterpret_cast<const unsigned char*>(n.data()), 32) == 0);
    REQUIRE(mbedtls_mpi_read_binary(&s_mpi, reinterpret_cast<const unsigned char*>(s.data()), 32) == 0);
    REQUIRE(mbedtls_mpi_sub_mpi(&high, &n_mpi, &s_mpi) == 0);
    REQUIRE(mbedtls_mpi_write_binary(&high, reinterpret_cast<unsigned char*>(high_s.data()), 32) == 0);
    mbedtls_mpi_free(&n_mpi);
    mbedtls_mpi_free(&s_mpi);
    mbedtls_mpi_free(&high);
    REQUIRE(high_s != s);
    CHECK(ecdsa_p256_verify(key, kA3Input, r + high_s));
    CHECK_FALSE(ecdsa_p256_verify(key, flip_bit(kA3Input, 3), r + high_s));
  }
  SECTION("a DER-encoded signature is not a JWS signature") {
    std::string der = "\x30\x44\x02\x20" + r + "\x02\x20" + s;
    CHECK_FALSE(ecdsa_p256_verify(key, kA3Input, der));
  }
}

TEST_CASE("EC public keys must be P-256 points on the curve", "[crypto][ecdsa]") {
  const std::string x = b64u(test::kRfcEcX), y = b64u(test::kRfcEcY);
  CHECK(EcPublicKey::from_coordinates(x, y));
  CHECK_FALSE(EcPublicKey::from_coordinates(x, flip_bit(y, 31)));  // off the curve
  CHECK_FALSE(EcPublicKey::from_coordinates(flip_bit(x, 0, 7), y));
  CHECK_FALSE(EcPublicKey::from_coordinates(std::string(32, '\0'), std::string(32, '\0')));
  CHECK_FALSE(EcPublicKey::from_coordinates(std::string(32, '\xff'), y));   // x >= p
  CHECK_FALSE(EcPublicKey::from_coordinates(x.substr(1), y));               // 31 bytes
  CHECK_FALSE(EcPublicKey::from_coordinates(std::string(1, '\0') + x, y));  // 33 bytes
  CHECK_FALSE(EcPublicKey::from_jwk(test::kRfcEcX, std::string(test::kRfcEcY) + "="));
  CHECK_FALSE(EcPublicKey::from_jwk("", test::kRfcEcY));
}

TEST_CASE("RS256 verifies the RFC 7515 A.2 signature", "[crypto][rsa]") {
  auto key = rfc_rsa_key();
  const std::string signature = b64u(kA2Signature);
  CHECK(key.size() == 256);
  REQUIRE(signature.size() == 256);
  CHECK(rsa_pkcs1_sha256_verify(key, kA2Input, signature));
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, flip_bit(kA2Input, 40), signature));
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, kA2Input, flip_bit(signature, 100)));
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, kA2Input, signature.substr(1)));
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, kA2Input, std::string(1, '\0') + signature));
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, kA2Input, ""));
  // A signature equal to the modulus is out of range for the public operation.
  CHECK_FALSE(rsa_pkcs1_sha256_verify(key, kA2Input, b64u(test::kRfcRsaN)));
}

TEST_CASE("RSA public keys: at least 2048 bits, sane exponent", "[crypto][rsa]") {
  const std::string n = b64u(test::kRfcRsaN), e = b64u(test::kRfcRsaE);
  REQUIRE(n.size() == 256);
  CHECK(RsaPublicKey::from_components(n, e));
  // A leading zero byte does not change the modulus.
  auto padded = RsaPublicKey::from_components(std::string(1, '\0') + n, e);
  REQUIRE(padded);
  CHECK(padded->size() == 256);
  // The same odd modulus with its top byte cleared: at most 2040 bits, so refused.
  std::string short_n = n;
  short_n[0] = '\0';
  CHECK_FALSE(RsaPublicKey::from_components(short_n, e));
  CHECK_FALSE(RsaPublicKey::from_components(n.substr(128), e));   // 1024 bits
  CHECK_FALSE(RsaPublicKey::from_components(n, "\x01"));          // e = 1
  CHECK_FALSE(RsaPublicKey::from_components(n, "\x01\x00\x00"));  // even e
  CHECK_FALSE(RsaPublicKey::from_components(n, ""));
  CHECK_FALSE(RsaPublicKey::from_components(n, std::string(9, '\x01')));  // absurdly long e
  CHECK_FALSE(RsaPublicKey::from_jwk(test::kRfcRsaN, "AQAB="));
}

TEST_CASE("the test signers produce signatures the verifiers accept", "[crypto]") {
  const std::string message = "header.payload";
  CHECK(ecdsa_p256_verify(rfc_ec_key(), message, test::es256_sign(message)));
  CHECK(rsa_pkcs1_sha256_verify(rfc_rsa_key(), message, test::rs256_sign(message)));
  CHECK_FALSE(ecdsa_p256_verify(rfc_ec_key(), message + "x", test::es256_sign(message)));
}
