// Stripe-Signature headers against raw bodies, with an oracle: the header Stripe would send for
// the body (t=now, v1=HMAC) must verify, whatever junk the fuzzed header adds around it. Also
// the return-URL rule and the form encoding of Checkout parameters.
// Input: "<Stripe-Signature header>\0<raw body>".
#include <cstdint>
#include <string>

#include "providers/stripe_form.hpp"
#include "billing/return_url.hpp"
#include "billing/signature.hpp"
#include "core/config.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "support/fake_shim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kSecret = "whsec_fuzz";
  constexpr std::int64_t kNow = 1'700'000'000;
  static const ag::Config config =
      ag::Config::from_json({{"CORS_ORIGINS", "https://app.alphogen.com,http://localhost:3000"}});
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto [header, body] = ag::fuzz::split(input);

  ag::billing::verify_signature(header, body, kSecret, kNow);

  std::string signed_payload = std::to_string(kNow) + "." + std::string(body);
  std::string v1 = ag::crypto::hex_encode(ag::crypto::as_bytes(ag::crypto::hmac_sha256(kSecret, signed_payload)));
  std::string genuine = "t=" + std::to_string(kNow) + ",v1=" + v1;
  if (ag::billing::verify_signature(genuine, body, kSecret, kNow) != ag::billing::SignatureCheck::valid)
    __builtin_trap();

  ag::billing::url_origin(header);
  ag::billing::allowed_return_url(config, header, "https://api.example.com");
  ag::stripe::form_body({{std::string(header), std::string(body)}});
  return 0;
}
