#pragma once
// Test-only JWS signing with the RFC 7515 example private keys, so the verifier can be
// exercised on tokens whose claims the tests choose. Never linked into the core.
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::test {

// RFC 7515 Appendix A.1: the HMAC key (JWK `k`).
inline constexpr std::string_view kRfcHmacK =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

// RFC 7515 Appendix A.2: the RSA key.
inline constexpr std::string_view kRfcRsaN =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
inline constexpr std::string_view kRfcRsaE = "AQAB";
inline constexpr std::string_view kRfcRsaD =
    "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-"
    "pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_"
    "0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_"
    "RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
inline constexpr std::string_view kRfcRsaP =
    "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_"
    "Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
inline constexpr std::string_view kRfcRsaQ =
    "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-"
    "TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";

// RFC 7515 Appendix A.3: the EC P-256 key.
inline constexpr std::string_view kRfcEcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
inline constexpr std::string_view kRfcEcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
inline constexpr std::string_view kRfcEcD = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

/// "<b64url(header)>.<b64url(claims)>"
std::string signing_input(const Json& header, const Json& claims);

/// HMAC-SHA256 of `message` under raw `secret` bytes.
std::string hs256_sign(std::string_view secret, std::string_view message);

/// Raw r||s ECDSA P-256 signature (RFC 6979 deterministic) with the RFC A.3 key.
std::string es256_sign(std::string_view message);

/// RSASSA-PKCS1-v1_5 SHA-256 signature with the RFC A.2 key.
std::string rs256_sign(std::string_view message);

/// A compact token: the signing input, '.', and the base64url signature.
std::string compact(std::string_view signing_input, std::string_view signature);

/// Signed tokens with the RFC keys; the header carries `kid` and `typ: JWT`.
std::string es256_token(const Json& claims, std::string_view kid = "ec-1");
std::string rs256_token(const Json& claims, std::string_view kid = "rsa-1");
std::string hs256_token(const Json& claims, std::string_view secret, const Json& header = {{"alg", "HS256"}});

/// The RFC public keys as JWKs.
Json ec_jwk(std::string_view kid);
Json rsa_jwk(std::string_view kid);

}  // namespace ag::test
