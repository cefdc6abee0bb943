#pragma once
// Compact JWS access tokens (RFC 7515/7519), parsed and checked without I/O. The caller
// supplies the key set and the clock, and has an ES256/RS256 signature verified by the
// platform between the two checks (auth/platform_signature.hpp). Errors are snake_case codes
// for logs and tests, not for clients (who only ever see 401).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "auth/jwks.hpp"
#include "core/json.hpp"

namespace ag::auth {

/// A value, or the code of why there is none.
template <class T>
struct JwtResult {
  std::optional<T> value;
  std::string error;  // empty exactly when value is set

  static JwtResult ok(T v) { return {std::move(v), {}}; }
  static JwtResult fail(std::string code) { return {std::nullopt, std::move(code)}; }
  explicit operator bool() const { return value.has_value(); }
};

/// Tokens above this size are refused before any decoding (Supabase's are ~1 KB).
inline constexpr std::size_t kMaxJwtBytes = 8 * 1024;

/// A syntactically valid compact JWS; nothing in it is trusted yet.
struct ParsedJwt {
  Json header;                     // a JSON object
  Json claims;                     // a JSON object
  std::string signing_input;       // "<header b64>.<payload b64>", as signed
  std::string signature;           // decoded bytes
  std::string alg;                 // header `alg`
  std::optional<std::string> kid;  // header `kid`
};

/// Splits and decodes a token. Errors: "token_too_large", "malformed".
JwtResult<ParsedJwt> parse_jwt(std::string_view token);

/// What a token must satisfy besides its signature.
struct JwtPolicy {
  std::optional<std::string> hs256_secret;  // the legacy shared secret (raw bytes)
  std::optional<std::string> issuer;        // checked only when set
  std::string audience = "authenticated";
  std::int64_t leeway_s = 30;  // clock skew allowed on exp, nbf and iat
};

/// The claims of a verified token.
struct VerifiedClaims {
  std::string sub;
  std::string email;          // "" when absent
  std::string role;           // "" when absent
  bool is_anonymous = false;  // Supabase's `is_anonymous` claim
  std::int64_t exp = 0;
  Json claims;  // every claim, for the rest (session_id, app_metadata, ...)
};

/// The first check: the algorithm allow-list and the key. HS256's MAC is verified here and
/// the answer is nullptr; for ES256 and RS256 it is the key whose signature the caller must
/// still verify. Errors: "alg_not_allowed", "unknown_kid", "bad_signature".
/// `keys` may be nullptr when no JWKS is configured.
JwtResult<const Jwk*> check_signature(const ParsedJwt& jwt, const JwtPolicy& policy, const Jwks* keys);

/// The second check, once the signature is known good: the claims. Errors: "malformed",
/// "missing_exp", "expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "missing_sub".
JwtResult<VerifiedClaims> verify_claims(const ParsedJwt& jwt, const JwtPolicy& policy, std::int64_t now_s);

}  // namespace ag::auth
