#include "auth/jwt.hpp"

#include <cmath>
#include <limits>

#include "core/uuid.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::auth {
namespace {

constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinSeconds = std::numeric_limits<std::int64_t>::min();

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? kMaxSeconds : kMinSeconds;
}

// A NumericDate claim (RFC 7519 §2): any JSON number of seconds, fractions allowed.
struct DateClaim {
  bool present = false;
  bool valid = true;
  std::int64_t seconds = 0;
};

DateClaim date_claim(const Json& claims, std::string_view key) {
  auto it = claims.find(key);
  if (it == claims.end()) return {};
  if (it->is_number_unsigned()) {
    auto value = it->get<std::uint64_t>();
    return {true, true, value > std::uint64_t(kMaxSeconds) ? kMaxSeconds : std::int64_t(value)};
  }
  if (it->is_number_integer()) return {true, true, it->get<std::int64_t>()};
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (!std::isfinite(value)) return {true, false, 0};
    // Clamp before converting: an out-of-range double-to-integer conversion is UB.
    if (value >= 9.2e18) return {true, true, kMaxSeconds};
    if (value <= -9.2e18) return {true, true, kMinSeconds};
    return {true, true, static_cast<std::int64_t>(std::floor(value))};
  }
  return {true, false, 0};
}

bool audience_matches(const Json& claims, const std::string& audience) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == audience;
  if (aud->is_array()) {
    for (const Json& entry : *aud) {
      if (entry.is_string() && entry.get_ref<const std::string&>() == audience) return true;
    }
  }
  return false;
}

}  // namespace

JwtResult<ParsedJwt> parse_jwt(std::string_view token) {
  using Result = JwtResult<ParsedJwt>;
  if (token.size() > kMaxJwtBytes) return Result::fail("token_too_large");

  auto first = token.find('.');
  if (first == std::string_view::npos) return Result::fail("malformed");
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Result::fail("malformed");
  }
  auto header_bytes = crypto::base64url_decode(token.substr(0, first));
  auto payload_bytes = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = crypto::base64url_decode(token.substr(second + 1));
  if (!header_bytes || !payload_bytes || !signature) return Result::fail("malformed");

  auto header = parse_json(*header_bytes);
  auto claims = parse_json(*payload_bytes);
  if (!header || !header->is_object() || !claims || !claims->is_object()) return Result::fail("malformed");

  auto alg = string_field(*header, "alg");
  if (!alg) return Result::fail("malformed");
  std::optional<std::string> kid;
  if (header->contains("kid")) {
    kid = string_field(*header, "kid");
    if (!kid) return Result::fail("malformed");
  }
  // RFC 7515 §4.1.11: extensions listed in `crit` must be understood, and we know none.
  if (header->contains("crit")) return Result::fail("malformed");

  ParsedJwt jwt;
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  jwt.alg = std::move(*alg);
  jwt.kid = std::move(kid);
  return Result::ok(std::move(jwt));
}

JwtResult<const Jwk*> check_signature(const ParsedJwt& jwt, const JwtPolicy& policy, const Jwks* keys) {
  using Result = JwtResult<const Jwk*>;
  const bool have_keys = keys != nullptr && !keys->empty();

  if (jwt.alg == "HS256") {
    // With asymmetric keys configured HS256 is never accepted: otherwise a token MACed
    // with the (public) key bytes as the secret could pass for one signed with the key.
    if (have_keys || !policy.hs256_secret || policy.hs256_secret->empty()) return Result::fail("alg_not_allowed");
    crypto::Sha256Digest mac = crypto::hmac_sha256(*policy.hs256_secret, jwt.signing_input);
    if (!crypto::constant_time_equal(crypto::as_bytes(mac), jwt.signature)) return Result::fail("bad_signature");
    return Result::ok(nullptr);
  }

  if (jwt.alg != "ES256" && jwt.alg != "RS256") return Result::fail("alg_not_allowed");  // "none" included
  if (!have_keys) return Result::fail("alg_not_allowed");
  const Jwk* jwk = jwt.kid ? keys->find(*jwt.kid) : nullptr;
  if (jwk == nullptr) return Result::fail("unknown_kid");
  if (jwk->alg != jwt.alg) return Result::fail("alg_not_allowed");
  // RFC 7518 §3.4: an ES256 signature is r || s, 32 bytes each; anything else is not one.
  if (jwt.alg == "ES256" && jwt.signature.size() != 64) return Result::fail("bad_signature");
  return Result::ok(jwk);
}

JwtResult<VerifiedClaims> verify_claims(const ParsedJwt& jwt, const JwtPolicy& policy, std::int64_t now_s) {
  using Result = JwtResult<VerifiedClaims>;
  const Json& claims = jwt.claims;
  const std::int64_t leeway = policy.leeway_s > 0 ? policy.leeway_s : 0;
  DateClaim exp = date_claim(claims, "exp");
  DateClaim nbf = date_claim(claims, "nbf");
  DateClaim iat = date_claim(claims, "iat");
  if (!exp.valid || !nbf.valid || !iat.valid) return Result::fail("malformed");
  if (!exp.present) return Result::fail("missing_exp");
  if (saturating_add(exp.seconds, leeway) <= now_s) return Result::fail("expired");
  const std::int64_t latest_start = saturating_add(now_s, leeway);
  if (nbf.present && nbf.seconds > latest_start) return Result::fail("not_yet_valid");
  // A token issued in the future comes from a skewed or forged clock.
  if (iat.present && iat.seconds > latest_start) return Result::fail("not_yet_valid");

  if (policy.issuer && string_field(claims, "iss") != *policy.issuer) return Result::fail("wrong_issuer");
  if (!audience_matches(claims, policy.audience)) return Result::fail("wrong_audience");
  auto sub = string_field(claims, "sub");
  if (!sub || sub->empty()) return Result::fail("missing_sub");
  // The id names the user's ledger rows and asset folder: one spelling per user, never a path.
  if (!is_canonical_uuid(*sub)) return Result::fail("sub_not_uuid");

  VerifiedClaims verified;
  verified.sub = std::move(*sub);
  verified.email = string_field(claims, "email").value_or("");
  verified.role = string_field(claims, "role").value_or("");
  verified.is_anonymous = bool_field(claims, "is_anonymous").value_or(false);
  verified.exp = exp.seconds;
  verified.claims = claims;
  return Result::ok(std::move(verified));
}

}  // namespace ag::auth
