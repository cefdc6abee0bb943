#pragma once
// Whether a webhook comes from fal.ai: its Ed25519 signature (crypto/fal_webhook.hpp builds
// the message) verified by the runtime's WebCrypto against fal's published keys, cached like
// Supabase's (auth/jwks_cache.hpp). fal's headers name no key, so every cached Ed25519 key is
// tried; when none verifies, the key set is refetched (at most every 30 s) and tried again,
// which picks up a rotation without letting forgeries turn into fetches.
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::auth {

/// "" when `request`'s X-Fal-Webhook-* headers sign `raw_body` under a key of the set at
/// `jwks_url`; else why not ("malformed", "stale", "bad_signature", "signature_unverifiable").
/// Raises 502 when there are no keys and fal's cannot be fetched.
Task<std::string> verify_fal_webhook(Ctx& ctx, const Request& request, std::string_view raw_body,
                                     const std::string& jwks_url);

}  // namespace ag::auth
