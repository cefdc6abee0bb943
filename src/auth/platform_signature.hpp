#pragma once
// ES256 and RS256 signatures are verified by the runtime's WebCrypto (the `crypto.verify`
// effect), not in the core: P-256 ECDSA in wasm bignum arithmetic costs ~4.5 ms of CPU per
// token, native WebCrypto ~0.1 ms (BENCHMARKS.md). Everything else about the token (the
// allow-list, the key, the claims) stays in auth/jwt.
#include <string>

#include "auth/jwt.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::auth {

/// "" when `jwt`'s signature verifies under `key`; else "bad_signature", or
/// "signature_unverifiable" when the platform could not check it at all.
Task<std::string> verify_with_platform(Ctx& ctx, const Jwk& key, const ParsedJwt& jwt);

}  // namespace ag::auth
