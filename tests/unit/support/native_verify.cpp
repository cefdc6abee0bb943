#include "support/native_verify.hpp"

#include "crypto/encoding.hpp"
#include "crypto/verify.hpp"

namespace ag::testing {
namespace {

Reply refused(const std::string& message) { return Reply{{{"error", {{"code", "bad_key"}, {"message", message}}}}}; }

}  // namespace

Reply verify_natively(const Json& effect) {
  const Json& key = effect.at("key");
  const std::string alg = effect.at("alg").get<std::string>();
  const std::string data = effect.at("data").get<std::string>();
  auto signature = crypto::base64url_decode(effect.at("signature").get<std::string>());
  if (!signature) return Reply{{{"valid", false}}};
  if (alg == "ES256") {
    auto ec = crypto::EcPublicKey::from_jwk(key.value("x", ""), key.value("y", ""));
    if (!ec) return refused("not a P-256 point");
    return Reply{{{"valid", crypto::ecdsa_p256_verify(*ec, data, *signature)}}};
  }
  if (alg == "RS256") {
    auto rsa = crypto::RsaPublicKey::from_jwk(key.value("n", ""), key.value("e", ""));
    if (!rsa) return refused("not a usable RSA key");
    return Reply{{{"valid", crypto::rsa_pkcs1_sha256_verify(*rsa, data, *signature)}}};
  }
  return Reply{{{"error", {{"code", "unsupported"}, {"message", "unknown algorithm " + alg}}}}};
}

}  // namespace ag::testing
