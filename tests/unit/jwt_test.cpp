#include <catch2/catch.hpp>

#include <string>

#include "auth/jwks.hpp"
#include "auth/jwt.hpp"
#include "core/effects.hpp"
#include "crypto/encoding.hpp"
#include "support/jws_signer.hpp"
#include "support/native_verify.hpp"

using namespace ag;
using namespace ag::auth;

namespace {

constexpr std::int64_t kNow = 1'750'000'000;
const std::string kIssuer = "https://abcdefgh.supabase.co/auth/v1";
const std::string kSecret = "super-secret-jwt-token-with-at-least-32-characters-long";

// RFC 7515 Appendix A.1 (HS256), verbatim.
constexpr std::string_view kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::int64_t kA1Exp = 1300819380;

// RFC 7515 Appendix A.3 (ES256), verbatim: no kid in its header.
constexpr std::string_view kA3Token =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

const std::string kJwksText = dump(Json{{"keys", Json::array({test::ec_jwk("ec-1"), test::rsa_jwk("rsa-1")})}});

Jwks test_jwks() {
  auto jwks = parse_jwks(kJwksText);
  REQUIRE(jwks);
  REQUIRE(jwks->by_kid.size() == 2);
  return *jwks;
}

JwtPolicy asymmetric_policy() {
  JwtPolicy policy;
  policy.issuer = kIssuer;
  return policy;
}

JwtPolicy hs256_policy() {
  JwtPolicy policy;
  policy.hs256_secret = kSecret;
  policy.issuer = kIssuer;
  return policy;
}

// Claims shaped like a Supabase access token.
Json supabase_claims() {
  return {{"iss", kIssuer},
          {"sub", "8f2c1d9e-0000-4000-8000-000000000001"},
          {"aud", "authenticated"},
          {"exp", kNow + 3600},
          {"iat", kNow - 10},
          {"email", "user@example.com"},
          {"phone", ""},
          {"role", "authenticated"},
          {"aal", "aal1"},
          {"session_id", "5d3c"},
          {"is_anonymous", false}};
}

std::string es256_token(const Json& claims, std::string_view kid = "ec-1") { return test::es256_token(claims, kid); }
std::string rs256_token(const Json& claims, std::string_view kid = "rsa-1") { return test::rs256_token(claims, kid); }
std::string hs256_token(const Json& claims, std::string_view secret = kSecret,
                        const Json& header = {{"alg", "HS256"}}) {
  return test::hs256_token(claims, secret, header);
}

// What auth::verify_token does: the signature check, the platform's verification of an
// asymmetric signature (the crypto.verify effect, answered natively), then the claims.
JwtResult<VerifiedClaims> verify(const ParsedJwt& jwt, const JwtPolicy& policy, const Jwks* keys,
                                 std::int64_t now = kNow) {
  auto key = check_signature(jwt, policy, keys);
  if (!key) return JwtResult<VerifiedClaims>::fail(key.error);
  if (const Jwk* asymmetric = *key.value) {
    Json effect = effect::crypto_verify(asymmetric->alg, asymmetric->members, jwt.signing_input, jwt.signature);
    Json answer = testing::verify_natively(effect).value;
    if (answer.value("valid", false) != true) return JwtResult<VerifiedClaims>::fail("bad_signature");
  }
  return verify_claims(jwt, policy, now);
}

// parse + verify, yielding the error code ("" on success).
std::string check(std::string_view token, const JwtPolicy& policy, const Jwks* keys, std::int64_t now = kNow) {
  auto parsed = parse_jwt(token);
  if (!parsed) return parsed.error;
  auto verified = verify(*parsed.value, policy, keys, now);
  return verified ? "" : verified.error;
}

std::string b64u(std::string_view s) { return crypto::base64url_encode(s); }

}  // namespace

TEST_CASE("RFC 7515 A.1 (HS256) parses and verifies with the RFC key", "[jwt]") {
  auto parsed = parse_jwt(kA1Token);
  REQUIRE(parsed);
  CHECK(parsed.error.empty());
  CHECK(parsed.value->alg == "HS256");
  CHECK_FALSE(parsed.value->kid);
  CHECK(parsed.value->header["typ"] == "JWT");
  CHECK(parsed.value->claims["iss"] == "joe");
  CHECK(parsed.value->claims["exp"] == kA1Exp);
  CHECK(parsed.value->claims["http://example.com/is_root"] == true);
  CHECK(parsed.value->signing_input == kA1Token.substr(0, kA1Token.rfind('.')));
  CHECK(parsed.value->signature.size() == 32);

  JwtPolicy policy;
  policy.hs256_secret = *crypto::base64url_decode(test::kRfcHmacK);
  policy.issuer = "joe";
  // The RFC token has no aud or sub, so full verification cannot succeed: before its exp,
  // the first failure is the audience, which proves the signature, times and issuer passed.
  CHECK(check(kA1Token, policy, nullptr, kA1Exp - 10) == "wrong_audience");
  CHECK(check(kA1Token, policy, nullptr, kA1Exp + policy.leeway_s) == "expired");
  CHECK(check(kA1Token, policy, nullptr, kNow) == "expired");

  JwtPolicy wrong_key = policy;
  wrong_key.hs256_secret = "not the RFC key";
  CHECK(check(kA1Token, wrong_key, nullptr, kA1Exp - 10) == "bad_signature");
  // Change a character in the middle of the signature (the last one also carries unused
  // bits, and a non-canonical spelling would be refused as malformed instead).
  std::string tampered(kA1Token);
  tampered[tampered.size() - 10] = tampered[tampered.size() - 10] == 'A' ? 'B' : 'A';
  CHECK(check(tampered, policy, nullptr, kA1Exp - 10) == "bad_signature");
}

TEST_CASE("RFC 7515 A.2 (RS256) and A.3 (ES256) tokens verify with the RFC keys", "[jwt]") {
  Jwks jwks = test_jwks();
  JwtPolicy policy;
  policy.issuer = "joe";

  // The RFC A.3 token names no kid: key selection is by kid only, so it is refused...
  CHECK(check(kA3Token, policy, &jwks, kA1Exp - 10) == "unknown_kid");
  // ...and the same signature under a header naming the key is a new signing input, so it
  // fails; the RFC signature itself is verified in crypto_test.
  std::string a3 = std::string(kA3Token);
  std::string renamed = b64u(R"({"alg":"ES256","kid":"ec-1"})") + a3.substr(a3.find('.'));
  CHECK(check(renamed, policy, &jwks, kA1Exp - 10) == "bad_signature");

  // Tokens signed with the RFC private keys and naming them by kid verify end to end.
  Json claims = supabase_claims();
  auto es = verify(*parse_jwt(es256_token(claims)).value, asymmetric_policy(), &jwks, kNow);
  REQUIRE(es);
  CHECK(es.error.empty());
  CHECK(es.value->sub == "8f2c1d9e-0000-4000-8000-000000000001");
  CHECK(es.value->email == "user@example.com");
  CHECK(es.value->role == "authenticated");
  CHECK(es.value->exp == kNow + 3600);
  CHECK(es.value->claims["session_id"] == "5d3c");

  auto rs = verify(*parse_jwt(rs256_token(claims)).value, asymmetric_policy(), &jwks, kNow);
  REQUIRE(rs);
  CHECK(rs.value->sub == es.value->sub);
}

TEST_CASE("HS256 tokens verify with the configured secret", "[jwt]") {
  Json claims = supabase_claims();
  CHECK(check(hs256_token(claims), hs256_policy(), nullptr) == "");
  Jwks empty;
  CHECK(check(hs256_token(claims), hs256_policy(), &empty) == "");
  CHECK(check(hs256_token(claims, "another secret"), hs256_policy(), nullptr) == "bad_signature");
  // A truncated MAC is not a MAC.
  std::string token = hs256_token(claims);
  std::string input = token.substr(0, token.rfind('.'));
  CHECK(check(test::compact(input, test::hs256_sign(kSecret, input).substr(0, 16)), hs256_policy(), nullptr) ==
        "bad_signature");
}

TEST_CASE("a flipped bit in the payload breaks every algorithm's signature", "[jwt]") {
  Jwks jwks = test_jwks();
  Json claims = supabase_claims();
  for (const std::string& token : {es256_token(claims), rs256_token(claims), hs256_token(claims)}) {
    bool hs = parse_jwt(token).value->alg == "HS256";
    auto first = token.find('.'), second = token.rfind('.');
    std::string payload = *crypto::base64url_decode(token.substr(first + 1, second - first - 1));
    auto at = payload.find("000000000001");
    REQUIRE(at != std::string::npos);
    payload[at + 11] ^= 0x01;  // "...0001" -> "...0000": still valid JSON, another user
    std::string forged = token.substr(0, first + 1) + b64u(payload) + token.substr(second);
    REQUIRE(parse_jwt(forged));
    CHECK(check(forged, hs ? hs256_policy() : asymmetric_policy(), hs ? nullptr : &jwks) == "bad_signature");
  }
}

TEST_CASE("the algorithm allow-list", "[jwt]") {
  Jwks jwks = test_jwks();
  Json claims = supabase_claims();

  SECTION("alg none is never accepted") {
    for (const char* none : {"none", "None", "NONE"}) {
      std::string token = b64u(dump(Json{{"alg", none}})) + "." + b64u(dump(claims)) + ".";
      REQUIRE(parse_jwt(token));
      CHECK(check(token, asymmetric_policy(), &jwks) == "alg_not_allowed");
      CHECK(check(token, hs256_policy(), nullptr) == "alg_not_allowed");
    }
  }
  SECTION("HS256 MACed with the public key is refused when keys are configured") {
    // The classic confusion attack: use the verifier's public key material as an HMAC secret.
    std::string ec_point = *crypto::base64url_decode(test::kRfcEcX) + *crypto::base64url_decode(test::kRfcEcY);
    for (const std::string& public_bytes :
         {kJwksText, dump(test::ec_jwk("ec-1")), "\x04" + ec_point, *crypto::base64url_decode(test::kRfcRsaN)}) {
      Json header = {{"alg", "HS256"}, {"kid", "ec-1"}};
      std::string token = hs256_token(claims, public_bytes, header);
      CHECK(check(token, asymmetric_policy(), &jwks) == "alg_not_allowed");
      // Even a deployment that also has the legacy secret set (to those very bytes, worst
      // case) refuses HS256 once asymmetric keys are configured.
      JwtPolicy both = asymmetric_policy();
      both.hs256_secret = public_bytes;
      CHECK(check(token, both, &jwks) == "alg_not_allowed");
    }
  }
  SECTION("HS256 without a configured secret") {
    JwtPolicy no_secret = asymmetric_policy();
    CHECK(check(hs256_token(claims), no_secret, nullptr) == "alg_not_allowed");
    no_secret.hs256_secret = "";
    CHECK(check(hs256_token(claims, ""), no_secret, nullptr) == "alg_not_allowed");
  }
  SECTION("asymmetric algorithms need a key set") {
    CHECK(check(es256_token(claims), hs256_policy(), nullptr) == "alg_not_allowed");
    Jwks empty;
    CHECK(check(rs256_token(claims), hs256_policy(), &empty) == "alg_not_allowed");
  }
  SECTION("other algorithms") {
    for (const char* alg : {"HS384", "HS512", "ES384", "ES512", "PS256", "RS512", "EdDSA", "es256", ""}) {
      Json header = {{"alg", alg}, {"kid", "ec-1"}};
      std::string input = test::signing_input(header, claims);
      CHECK(check(test::compact(input, test::es256_sign(input)), asymmetric_policy(), &jwks) == "alg_not_allowed");
    }
  }
  SECTION("the key named by kid must be of the token's algorithm") {
    // ES256 signature, but the kid names the RSA key (and vice versa).
    CHECK(check(es256_token(claims, "rsa-1"), asymmetric_policy(), &jwks) == "alg_not_allowed");
    CHECK(check(rs256_token(claims, "ec-1"), asymmetric_policy(), &jwks) == "alg_not_allowed");
    // Without a JWK `alg` the key type alone decides.
    Json bare = test::rsa_jwk("rsa-bare");
    bare.erase("alg");
    auto loose = parse_jwks(dump(Json{{"keys", Json::array({bare})}}));
    REQUIRE(loose);
    REQUIRE(loose->find("rsa-bare"));
    CHECK(check(rs256_token(claims, "rsa-bare"), asymmetric_policy(), &*loose) == "");
    CHECK(check(es256_token(claims, "rsa-bare"), asymmetric_policy(), &*loose) == "alg_not_allowed");
  }
  SECTION("unknown or missing kid") {
    CHECK(check(es256_token(claims, "ec-2"), asymmetric_policy(), &jwks) == "unknown_kid");
    Json header = {{"alg", "ES256"}};
    std::string input = test::signing_input(header, claims);
    CHECK(check(test::compact(input, test::es256_sign(input)), asymmetric_policy(), &jwks) == "unknown_kid");
  }
}

TEST_CASE("ES256 signature shape inside tokens", "[jwt]") {
  Jwks jwks = test_jwks();
  std::string token = es256_token(supabase_claims());
  std::string input = token.substr(0, token.rfind('.'));
  std::string signature = *crypto::base64url_decode(token.substr(token.rfind('.') + 1));
  CHECK(check(test::compact(input, signature.substr(0, 63)), asymmetric_policy(), &jwks) == "bad_signature");
  CHECK(check(test::compact(input, signature + '\0'), asymmetric_policy(), &jwks) == "bad_signature");
  CHECK(check(test::compact(input, std::string(64, '\0')), asymmetric_policy(), &jwks) == "bad_signature");
  CHECK(check(input + ".", asymmetric_policy(), &jwks) == "bad_signature");
}

TEST_CASE("time claims", "[jwt]") {
  JwtPolicy policy = hs256_policy();
  auto with = [](auto edit) {
    Json claims = supabase_claims();
    edit(claims);
    return hs256_token(claims);
  };

  CHECK(check(with([](Json& c) { c["exp"] = kNow - 31; }), policy, nullptr) == "expired");
  CHECK(check(with([](Json& c) { c["exp"] = kNow - 30; }), policy, nullptr) == "expired");
  CHECK(check(with([](Json& c) { c["exp"] = kNow - 29; }), policy, nullptr) == "");   // within leeway
  CHECK(check(with([](Json& c) { c["exp"] = kNow + 0.5; }), policy, nullptr) == "");  // NumericDate may be fractional
  CHECK(check(with([](Json& c) { c["exp"] = 1e300; }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c["exp"] = -1e300; }), policy, nullptr) == "expired");
  CHECK(check(with([](Json& c) { c["exp"] = 18446744073709551615ull; }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c.erase("exp"); }), policy, nullptr) == "missing_exp");
  CHECK(check(with([](Json& c) { c["exp"] = std::to_string(kNow + 60); }), policy, nullptr) == "malformed");
  CHECK(check(with([](Json& c) { c["exp"] = nullptr; }), policy, nullptr) == "malformed");
  CHECK(check(with([](Json& c) { c["exp"] = true; }), policy, nullptr) == "malformed");

  CHECK(check(with([](Json& c) { c["nbf"] = kNow + 31; }), policy, nullptr) == "not_yet_valid");
  CHECK(check(with([](Json& c) { c["nbf"] = kNow + 30; }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c["nbf"] = kNow - 100; }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c["nbf"] = "soon"; }), policy, nullptr) == "malformed");

  CHECK(check(with([](Json& c) { c["iat"] = kNow + 31; }), policy, nullptr) == "not_yet_valid");
  CHECK(check(with([](Json& c) { c["iat"] = kNow + 30; }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c.erase("iat"); }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) { c["iat"] = Json::array(); }), policy, nullptr) == "malformed");

  JwtPolicy strict = policy;
  strict.leeway_s = 0;
  CHECK(check(with([](Json& c) { c["exp"] = kNow; }), strict, nullptr) == "expired");
  CHECK(check(with([](Json& c) { c["exp"] = kNow + 1; }), strict, nullptr) == "");
  CHECK(check(with([](Json& c) { c["nbf"] = kNow + 1; }), strict, nullptr) == "not_yet_valid");
}

TEST_CASE("issuer, audience and subject", "[jwt]") {
  JwtPolicy policy = hs256_policy();
  auto with = [](auto edit) {
    Json claims = supabase_claims();
    edit(claims);
    return hs256_token(claims);
  };

  CHECK(check(with([](Json& c) { c["iss"] = "https://other.supabase.co/auth/v1"; }), policy, nullptr) ==
        "wrong_issuer");
  CHECK(check(with([](Json& c) { c["iss"] = kIssuer + "/"; }), policy, nullptr) == "wrong_issuer");
  CHECK(check(with([](Json& c) { c.erase("iss"); }), policy, nullptr) == "wrong_issuer");
  CHECK(check(with([](Json& c) { c["iss"] = Json::array({kIssuer}); }), policy, nullptr) == "wrong_issuer");
  JwtPolicy any_issuer = policy;
  any_issuer.issuer.reset();
  CHECK(check(with([](Json& c) { c["iss"] = "whoever"; }), any_issuer, nullptr) == "");

  CHECK(check(with([](Json& c) { c["aud"] = "anon"; }), policy, nullptr) == "wrong_audience");
  CHECK(check(with([](Json& c) { c.erase("aud"); }), policy, nullptr) == "wrong_audience");
  CHECK(check(with([](Json& c) { c["aud"] = Json::array({"anon", "service"}); }), policy, nullptr) == "wrong_audience");
  CHECK(check(with([](Json& c) { c["aud"] = Json::array(); }), policy, nullptr) == "wrong_audience");
  CHECK(check(with([](Json& c) { c["aud"] = Json::array({"anon", "authenticated"}); }), policy, nullptr) == "");
  CHECK(check(with([](Json& c) {
                c["aud"] = Json::object({{"authenticated", true}});
              }),
              policy, nullptr) == "wrong_audience");
  JwtPolicy other_audience = policy;
  other_audience.audience = "my-app";
  CHECK(check(with([](Json&) {}), other_audience, nullptr) == "wrong_audience");
  CHECK(check(with([](Json& c) { c["aud"] = "my-app"; }), other_audience, nullptr) == "");

  CHECK(check(with([](Json& c) { c.erase("sub"); }), policy, nullptr) == "missing_sub");
  CHECK(check(with([](Json& c) { c["sub"] = ""; }), policy, nullptr) == "missing_sub");
  CHECK(check(with([](Json& c) { c["sub"] = 42; }), policy, nullptr) == "missing_sub");
  // A user id is auth.users.id: a canonical lower-case UUID, or the token is refused (another
  // spelling would be another asset folder but the same ledger user; "a/b" a path).
  CHECK(check(with([](Json& c) { c["sub"] = "a/b"; }), policy, nullptr) == "sub_not_uuid");
  CHECK(check(with([](Json& c) { c["sub"] = "u-1"; }), policy, nullptr) == "sub_not_uuid");
  CHECK(check(with([](Json& c) { c["sub"] = "6F9619FF-8B86-4D11-B42D-00C04FC964FF"; }), policy, nullptr) ==
        "sub_not_uuid");
  CHECK(check(with([](Json& c) { c["sub"] = "6f9619ff8b864d11b42d00c04fc964ff"; }), policy, nullptr) == "sub_not_uuid");
  CHECK(check(with([](Json& c) { c["sub"] = "6f9619ff-8b86-4d11-b42d-00c04fc964ff"; }), policy, nullptr) == "");

  auto parsed = parse_jwt(with([](Json& c) {
    c.erase("email");
    c["role"] = nullptr;
  }));
  auto verified = verify(*parsed.value, policy, nullptr);
  REQUIRE(verified);
  CHECK(verified.value->email == "");
  CHECK(verified.value->role == "");
}

TEST_CASE("parsing is strict", "[jwt]") {
  const std::string header = b64u(R"({"alg":"HS256"})");
  const std::string payload = b64u(dump(supabase_claims()));
  const std::string signature = b64u(std::string(32, 'x'));
  REQUIRE(parse_jwt(header + "." + payload + "." + signature));

  SECTION("the number of parts") {
    CHECK(parse_jwt("").error == "malformed");
    CHECK(parse_jwt(header).error == "malformed");
    CHECK(parse_jwt(header + "." + payload).error == "malformed");
    CHECK(parse_jwt(header + "." + payload + "." + signature + ".").error == "malformed");
    CHECK(parse_jwt(header + "." + payload + "." + signature + "." + signature).error == "malformed");
    CHECK(parse_jwt("..").error == "malformed");
  }
  SECTION("bad base64url in each part") {
    for (const char* bad : {"!", "=", "+", "/", " ", "%"}) {
      INFO(bad);
      CHECK(parse_jwt(header + bad + "." + payload + "." + signature).error == "malformed");
      CHECK(parse_jwt(header + "." + payload + bad + "." + signature).error == "malformed");
      CHECK(parse_jwt(header + "." + payload + "." + signature + bad).error == "malformed");
    }
    // Padding is not part of JWS base64url, even where it would be correct.
    CHECK(parse_jwt(b64u(R"({"alg":"HS256"} )") + "=." + payload + "." + signature).error == "malformed");
    // Impossible lengths (4k+1 characters) and non-zero unused bits.
    REQUIRE(signature.size() % 4 == 3);
    CHECK(parse_jwt(header + "." + payload + "." + signature + "AA").error == "malformed");
    std::string noncanonical = signature;
    noncanonical.back() = static_cast<char>(noncanonical.back() + 1);
    CHECK(parse_jwt(header + "." + payload + "." + noncanonical).error == "malformed");
  }
  SECTION("header and payload must be JSON objects") {
    CHECK(parse_jwt(b64u("[]") + "." + payload + "." + signature).error == "malformed");
    CHECK(parse_jwt(b64u(R"({"alg":"HS256")") + "." + payload + "." + signature).error == "malformed");
    CHECK(parse_jwt(header + "." + b64u("\"sub\"") + "." + signature).error == "malformed");
    CHECK(parse_jwt(header + "." + b64u("{} trailing") + "." + signature).error == "malformed");
    CHECK(parse_jwt(header + "." + b64u("{\"sub\":\"\xff\"}") + "." + signature).error == "malformed");
    CHECK(parse_jwt(header + ".." + signature).error == "malformed");
  }
  SECTION("header members") {
    CHECK(parse_jwt(b64u(R"({"typ":"JWT"})") + "." + payload + "." + signature).error == "malformed");
    CHECK(parse_jwt(b64u(R"({"alg":256})") + "." + payload + "." + signature).error == "malformed");
    CHECK(parse_jwt(b64u(R"({"alg":"ES256","kid":7})") + "." + payload + "." + signature).error == "malformed");
    CHECK(parse_jwt(b64u(R"({"alg":"ES256","crit":["exp"],"exp":1})") + "." + payload + "." + signature).error ==
          "malformed");
    auto with_kid = parse_jwt(b64u(R"({"alg":"ES256","kid":"k1"})") + "." + payload + "." + signature);
    REQUIRE(with_kid);
    CHECK(with_kid.value->kid == "k1");
  }
}

TEST_CASE("the token size limit", "[jwt]") {
  // Grow a padding claim until the token crosses the limit: the last one within it parses,
  // the first one over it is refused before decoding.
  std::string largest_ok, smallest_over;
  for (std::size_t pad = 5000; pad < 6500 && smallest_over.empty(); ++pad) {
    Json claims = supabase_claims();
    claims["pad"] = std::string(pad, 'p');
    std::string token = hs256_token(claims);
    (token.size() <= kMaxJwtBytes ? largest_ok : smallest_over) = token;
  }
  REQUIRE(largest_ok.size() > kMaxJwtBytes - 8);
  REQUIRE(smallest_over.size() > kMaxJwtBytes);
  CHECK(check(largest_ok, hs256_policy(), nullptr) == "");
  CHECK(check(smallest_over, hs256_policy(), nullptr) == "token_too_large");
  CHECK(parse_jwt(std::string(kMaxJwtBytes + 1, 'A')).error == "token_too_large");
  CHECK(parse_jwt(std::string(1 << 20, '.')).error == "token_too_large");
}

TEST_CASE("JWKS parsing keeps the usable keys and skips the rest", "[jwks]") {
  Json off_curve = test::ec_jwk("off-curve");
  off_curve["y"] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1";  // last bit flipped
  std::string n = *crypto::base64url_decode(test::kRfcRsaN);
  n[0] = '\0';
  Json small_rsa = test::rsa_jwk("small-rsa");
  small_rsa["n"] = b64u(n);
  Json enc = test::ec_jwk("enc");
  enc["use"] = "enc";
  Json ops = test::ec_jwk("ops");
  ops["key_ops"] = Json::array({"encrypt"});
  Json ops_ok = test::ec_jwk("ops-ok");
  ops_ok["key_ops"] = Json::array({"verify"});
  Json p384 = test::ec_jwk("p384");
  p384["crv"] = "P-384";
  Json mislabelled = test::ec_jwk("mislabelled");
  mislabelled["alg"] = "RS256";
  Json no_kid = test::ec_jwk("x");
  no_kid.erase("kid");
  Json numeric_kid = test::ec_jwk("x");
  numeric_kid["kid"] = 5;
  Json no_x = test::ec_jwk("no-x");
  no_x.erase("x");
  Json duplicate = test::rsa_jwk("ec-1");  // same kid as the first key: the first wins
  duplicate.erase("alg");

  Json document = {{"keys", Json::array({test::ec_jwk("ec-1"), test::rsa_jwk("rsa-1"), off_curve, small_rsa, enc, ops,
                                         ops_ok, p384, mislabelled, no_kid, numeric_kid, no_x, duplicate,
                                         Json{{"kty", "oct"}, {"k", test::kRfcHmacK}, {"kid", "oct"}},
                                         Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}, {"kid", "okp"}},
                                         Json{{"kid", "no-kty"}}, "not an object", 42})}};
  auto jwks = parse_jwks(dump(document));
  REQUIRE(jwks);
  CHECK(jwks->by_kid.size() == 3);
  REQUIRE(jwks->find("ec-1"));
  CHECK(jwks->find("ec-1")->alg == "ES256");
  // Only the public members travel to the platform's import: no `d`, `use` or `kid`.
  Json ec = test::ec_jwk("ec-1");
  CHECK(jwks->find("ec-1")->members == Json{{"kty", "EC"}, {"crv", "P-256"}, {"x", ec["x"]}, {"y", ec["y"]}});
  REQUIRE(jwks->find("rsa-1"));
  CHECK(jwks->find("rsa-1")->alg == "RS256");
  Json rsa = test::rsa_jwk("rsa-1");
  CHECK(jwks->find("rsa-1")->members == Json{{"kty", "RSA"}, {"n", rsa["n"]}, {"e", rsa["e"]}});
  CHECK(jwks->find("ops-ok"));
  for (const char* skipped :
       {"off-curve", "small-rsa", "enc", "ops", "p384", "mislabelled", "x", "no-x", "oct", "okp", "no-kty"}) {
    INFO(skipped);
    CHECK_FALSE(jwks->find(skipped));
  }

  // A Supabase-style set with one key verifies that key's tokens.
  auto single = parse_jwks(R"({"keys":[{"alg":"ES256","crv":"P-256","ext":true,"key_ops":["verify"],"kid":"ec-1",)"
                           R"("kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                           R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})");
  REQUIRE(single);
  CHECK(check(es256_token(supabase_claims()), asymmetric_policy(), &*single) == "");
}

TEST_CASE("JWKS documents that are not key sets", "[jwks]") {
  for (const char* bad : {"", "garbage", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})", R"({"keys":[)"}) {
    INFO(bad);
    CHECK_FALSE(parse_jwks(bad));
  }
  auto empty = parse_jwks(R"({"keys":[]})");
  REQUIRE(empty);
  CHECK(empty->empty());
}
