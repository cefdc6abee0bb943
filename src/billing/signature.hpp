#pragma once
// Stripe webhook signatures (PROTOCOLS.md "Stripe"; https://docs.stripe.com/webhooks#verify-manually):
// `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>...]`, each v1 the lowercase hex
// HMAC-SHA256 of "<t>.<raw body>" keyed with the whole whsec_... secret. Any matching v1 is
// enough (several during a secret rotation); other schemes (v0) are ignored; the timestamp
// must be within the tolerance of now. Checked on the raw bytes, before any parsing.
#include <cstdint>
#include <string_view>

namespace ag::billing {

enum class SignatureCheck {
  valid,
  malformed,  // no t=, a t= that is not a number, or a part without '='
  no_v1,      // well-formed, but no v1 signature at all (v0 only, say)
  stale,      // the timestamp is further than the tolerance from now
  mismatch,   // no v1 is the HMAC of this body under this secret
};

/// Stripe's default tolerance.
inline constexpr std::int64_t kSignatureToleranceS = 300;

/// Checks `header` for `raw_body` under `secret` at `now_s` (unix seconds). Every v1 is
/// compared in constant time, and all of them are compared.
SignatureCheck verify_signature(std::string_view header, std::string_view raw_body, std::string_view secret,
                                std::int64_t now_s, std::int64_t tolerance_s = kSignatureToleranceS);

/// A short name for logs ("stale", "mismatch", ...).
std::string_view to_string(SignatureCheck check);

}  // namespace ag::billing
