#pragma once
// The platform's `crypto.verify` effect, performed natively with mbedTLS: the unit tests'
// stand-in for the runtime's WebCrypto (js-shim/effects/crypto-verify.js).
#include "support/driver.hpp"

namespace ag::testing {

/// Answers a `crypto.verify` effect as WebCrypto would: {"valid": bool}, or a `bad_key` error.
Reply verify_natively(const Json& effect);

}  // namespace ag::testing
