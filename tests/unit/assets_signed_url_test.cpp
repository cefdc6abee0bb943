#include <catch2/catch.hpp>

#include <string>

#include "assets/signed_url.hpp"

using namespace ag;
using assets::check_asset_signature;
using assets::SignatureCheck;

namespace {

constexpr std::string_view kSecret = "secret";
constexpr std::string_view kKey = "users/u1/a.png";
constexpr std::int64_t kExpires = 1700000000;
// Computed independently of this code:
//   printf 'alphogen-asset-v1\nusers/u1/a.png\n1700000000' |
//     openssl dgst -sha256 -hmac secret -binary | basenc --base64url | tr -d '='
constexpr std::string_view kKnownSig = "8NhvM8Geh885zKeW7D1d_DK_j18qLW9jlBcY-wGYnGQ";

constexpr std::int64_t kBefore = kExpires - 1;

SignatureCheck check(std::string_view expires, std::string_view sig, std::int64_t now = kBefore,
                     std::string_view key = kKey, std::string_view secret = kSecret) {
  return check_asset_signature(secret, key, expires, sig, now);
}

// The character at `index` replaced by another base64url character.
std::string flip(std::string s, std::size_t index) {
  s[index] = s[index] == 'A' ? 'B' : 'A';
  return s;
}

}  // namespace

TEST_CASE("signed URL: the signature matches an independent computation", "[assets][signed_url]") {
  CHECK(assets::asset_signature(kSecret, kKey, kExpires) == kKnownSig);
  CHECK(kKnownSig.size() == 43);  // 32 bytes, unpadded base64url
  CHECK(kKnownSig.find('=') == std::string_view::npos);
}

TEST_CASE("signed URL: every input changes the signature", "[assets][signed_url]") {
  const std::string base = assets::asset_signature(kSecret, kKey, kExpires);
  CHECK(assets::asset_signature("secreT", kKey, kExpires) != base);
  CHECK(assets::asset_signature(kSecret, "users/u1/b.png", kExpires) != base);
  CHECK(assets::asset_signature(kSecret, kKey, kExpires + 1) != base);
  // The boundary between key and expiry cannot be shifted.
  CHECK(assets::asset_signature(kSecret, "users/u1/a.png\n1", 700000000) !=
        assets::asset_signature(kSecret, "users/u1/a.png", 1700000000));
}

TEST_CASE("signed URL: a fresh link round-trips", "[assets][signed_url]") {
  const std::string sig = assets::asset_signature(kSecret, kKey, kExpires);
  CHECK(check("1700000000", sig) == SignatureCheck::valid);
  CHECK(check("1700000000", sig, 0) == SignatureCheck::valid);
  const std::string odd_key = "users/u 1/a?b#c%.png";
  CHECK(check("1700000000", assets::asset_signature(kSecret, odd_key, kExpires), kBefore, odd_key) ==
        SignatureCheck::valid);
  CHECK(check("999999999999", assets::asset_signature(kSecret, kKey, 999999999999)) == SignatureCheck::valid);
}

TEST_CASE("signed URL: expiry is reported at and after the instant", "[assets][signed_url]") {
  CHECK(check("1700000000", kKnownSig, kExpires - 1) == SignatureCheck::valid);
  CHECK(check("1700000000", kKnownSig, kExpires) == SignatureCheck::expired);
  CHECK(check("1700000000", kKnownSig, kExpires + 1) == SignatureCheck::expired);
  CHECK(check("0", assets::asset_signature(kSecret, kKey, 0), 0) == SignatureCheck::expired);
}

TEST_CASE("signed URL: altered links are invalid", "[assets][signed_url]") {
  const std::string sig(kKnownSig);
  SECTION("key") {
    CHECK(check("1700000000", sig, kBefore, "users/u1/b.png") == SignatureCheck::invalid);
    CHECK(check("1700000000", sig, kBefore, "users/u2/a.png") == SignatureCheck::invalid);
    CHECK(check("1700000000", sig, kBefore, "users/u1/a.png/") == SignatureCheck::invalid);
    CHECK(check("1700000000", sig, kBefore, "") == SignatureCheck::invalid);
  }
  SECTION("expiry") {
    CHECK(check("1700000001", sig) == SignatureCheck::invalid);
    CHECK(check("1799999999", sig) == SignatureCheck::invalid);
    CHECK(check("170000000", sig) == SignatureCheck::invalid);
  }
  SECTION("signature") {
    CHECK(check("1700000000", flip(sig, 0)) == SignatureCheck::invalid);
    CHECK(check("1700000000", flip(sig, 21)) == SignatureCheck::invalid);
    CHECK(check("1700000000", flip(sig, sig.size() - 1)) == SignatureCheck::invalid);
    CHECK(check("1700000000", sig.substr(0, sig.size() - 1)) == SignatureCheck::invalid);
    CHECK(check("1700000000", sig + "A") == SignatureCheck::invalid);
    CHECK(check("1700000000", sig + "=") == SignatureCheck::invalid);
    CHECK(check("1700000000", "") == SignatureCheck::invalid);
    CHECK(check("1700000000", assets::asset_signature("other", kKey, kExpires)) == SignatureCheck::invalid);
  }
  SECTION("secret") {
    CHECK(check("1700000000", sig, kBefore, kKey, "secreT") == SignatureCheck::invalid);
    // An empty secret would make every link forgeable: nothing validates under it.
    CHECK(check("1700000000", assets::asset_signature("", kKey, kExpires), kBefore, kKey, "") ==
          SignatureCheck::invalid);
  }
}

TEST_CASE("signed URL: an altered link that is also expired is invalid, not expired", "[assets][signed_url]") {
  const std::int64_t later = kExpires + 10;
  CHECK(check("1700000000", flip(std::string(kKnownSig), 5), later) == SignatureCheck::invalid);
  CHECK(check("1700000001", kKnownSig, later) == SignatureCheck::invalid);
  CHECK(check("1700000000", kKnownSig, later, "users/u1/b.png") == SignatureCheck::invalid);
  CHECK(check("1700000000", "", later) == SignatureCheck::invalid);
}

TEST_CASE("signed URL: the expires parameter must be plain canonical decimal", "[assets][signed_url]") {
  for (std::string_view expires : {"", "+1", "-1", " 1", "1 ", "1e9", "0x10", "1.0", "١",
                                   "0000000000001",  // 13 digits
                                   "1000000000000",  // 13 digits
                                   "01700000000",    // leading zero: a second spelling
                                   "00", "17000000 00", "1700000000\n"}) {
    INFO('"' << std::string(expires) << '"');
    // Sign the value the parameter would mean if it were read leniently, so only the
    // format rule can refuse it.
    CHECK(check(expires, kKnownSig) == SignatureCheck::invalid);
  }
  CHECK(check("01700000000", kKnownSig) == SignatureCheck::invalid);
  CHECK(check("1", assets::asset_signature(kSecret, kKey, 1), 0) == SignatureCheck::valid);
}

TEST_CASE("signed URL: lifetime constants", "[assets][signed_url]") {
  STATIC_REQUIRE(assets::kDefaultSignedUrlSeconds == 3600);
  STATIC_REQUIRE(assets::kMaxSignedUrlSeconds == 604800);
}

TEST_CASE("signed URL: keys are percent-encoded per path segment", "[assets][signed_url]") {
  CHECK(assets::encode_key_path("users/u 1/a?b#c%.png") == "users/u%201/a%3Fb%23c%25.png");
  CHECK(assets::encode_key_path("\xC3\xA9") == "%C3%A9");  // "é" in UTF-8
  CHECK(assets::encode_key_path("public/a.txt") == "public/a.txt");
  CHECK(assets::encode_key_path("AZaz09-._~") == "AZaz09-._~");
  CHECK(assets::encode_key_path("a//b/") == "a//b/");
  CHECK(assets::encode_key_path("a+b&c=d;e:f@g") == "a%2Bb%26c%3Dd%3Be%3Af%40g");
  CHECK(assets::encode_key_path("\x7f\xff") == "%7F%FF");
  CHECK(assets::encode_key_path("") == "");
}
