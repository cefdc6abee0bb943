// Stripe-Signature verification, the form encoding of Stripe requests and the return-URL
// rule, without I/O. The reference signature below was made by the official `stripe` npm
// package (webhooks.generateTestHeaderString, stripe@23.1.0).
#include <catch2/catch.hpp>

#include "providers/stripe_form.hpp"
#include "billing/return_url.hpp"
#include "billing/signature.hpp"

using namespace ag;
using billing::SignatureCheck;
using billing::verify_signature;

namespace {
constexpr std::int64_t kT = 1'700'000'000;
const std::string kSecret = "whsec_unit_test_secret";
const std::string kBody = R"({"id":"evt_1","object":"event"})";
const std::string kV1 = "ae67673f46f9077227dfd148f00ce28810ee88f5cadb2b9d5a0f360f284c135d";
const std::string kOtherV1 = std::string(64, 'a');
}  // namespace

TEST_CASE("Stripe-Signature: the stripe library's header verifies", "[billing][stripe]") {
  CHECK(verify_signature("t=1700000000,v1=" + kV1, kBody, kSecret, kT) == SignatureCheck::valid);
  CHECK(verify_signature("t=1700000000,v1=" + kV1, kBody, kSecret, kT + 300) == SignatureCheck::valid);
  // Whitespace after commas, as some proxies reformat it.
  CHECK(verify_signature("t=1700000000, v1=" + kV1, kBody, kSecret, kT) == SignatureCheck::valid);
}

TEST_CASE("Stripe-Signature: any v1 may match; other schemes are ignored", "[billing][stripe]") {
  CHECK(verify_signature("t=1700000000,v1=" + kOtherV1 + ",v1=" + kV1, kBody, kSecret, kT) == SignatureCheck::valid);
  CHECK(verify_signature("t=1700000000,v1=" + kV1 + ",v1=" + kOtherV1, kBody, kSecret, kT) == SignatureCheck::valid);
  CHECK(verify_signature("t=1700000000,v0=" + kV1 + ",v1=" + kV1, kBody, kSecret, kT) == SignatureCheck::valid);
  // v0 alone (Stripe's old test scheme) is not a signature we accept, even with the right hex.
  CHECK(verify_signature("t=1700000000,v0=" + kV1, kBody, kSecret, kT) == SignatureCheck::no_v1);
  CHECK(verify_signature("t=1700000000", kBody, kSecret, kT) == SignatureCheck::no_v1);
}

TEST_CASE("Stripe-Signature: wrong secret, changed body, stale or future time", "[billing][stripe]") {
  const std::string header = "t=1700000000,v1=" + kV1;
  CHECK(verify_signature(header, kBody, "whsec_other", kT) == SignatureCheck::mismatch);
  CHECK(verify_signature(header, kBody + " ", kSecret, kT) == SignatureCheck::mismatch);
  CHECK(verify_signature("t=1700000001,v1=" + kV1, kBody, kSecret, kT) == SignatureCheck::mismatch);
  CHECK(verify_signature("t=1700000000,v1=" + std::string(kV1).replace(0, 1, "b"), kBody, kSecret, kT) ==
        SignatureCheck::mismatch);
  // Uppercase hex is not what Stripe sends.
  std::string upper = kV1;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verify_signature("t=1700000000,v1=" + upper, kBody, kSecret, kT) == SignatureCheck::mismatch);
  CHECK(verify_signature(header, kBody, kSecret, kT + 301) == SignatureCheck::stale);
  CHECK(verify_signature(header, kBody, kSecret, kT - 301) == SignatureCheck::stale);
  CHECK(verify_signature(header, kBody, kSecret, kT + 3600, 3601) == SignatureCheck::valid);
}

TEST_CASE("Stripe-Signature: malformed headers", "[billing][stripe]") {
  for (std::string header :
       {std::string(""), std::string("garbage"), "v1=" + kV1, "t=,v1=" + kV1, "t=17e8,v1=" + kV1, "t=-1,v1=" + kV1,
        "t=1700000000,t=1700000000,v1=" + kV1, "t=1700000000,=x,v1=" + kV1, "t=1700000000,v1" + kV1}) {
    INFO(header);
    CHECK(verify_signature(header, kBody, kSecret, kT) == SignatureCheck::malformed);
  }
}

TEST_CASE("Stripe form bodies: brackets percent-encoded, spaces as +", "[billing][stripe]") {
  CHECK(stripe::form_encode("line_items[0][price]") == "line_items%5B0%5D%5Bprice%5D");
  CHECK(stripe::form_encode("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9");
  CHECK(stripe::form_encode("AZaz09*-._~") == "AZaz09*-._%7E");
  CHECK(stripe::form_body({{"mode", "payment"}, {"metadata[user_id]", "u 1"}}) ==
        "mode=payment&metadata%5Buser_id%5D=u+1");
  CHECK(stripe::form_body({}).empty());
}

TEST_CASE("Return URLs: only on a configured CORS origin or the own console", "[billing]") {
  const std::string kOwn = "https://api.example.com";
  Config config;
  config.set("CORS_ORIGINS", "*, https://app.example.com/, http://localhost:3000");
  CHECK(billing::allowed_return_url(config, "https://app.example.com/billing?x=1", kOwn));
  CHECK(billing::allowed_return_url(config, "HTTPS://APP.example.com", kOwn));
  CHECK(billing::allowed_return_url(config, "http://localhost:3000/done#top", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "http://app.example.com/billing", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "https://app.example.com.evil.example/", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "https://app.example.com@evil.example/", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "https://app.example.com:444/", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "javascript:alert(1)//https://app.example.com", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "https://app.example.com/a b", kOwn));
  CHECK_FALSE(billing::allowed_return_url(config, "//app.example.com/", kOwn));
  CHECK(billing::default_return_url(config, "checkout=cancel") == "https://app.example.com/billing?checkout=cancel");

  Config any;
  any.set("CORS_ORIGINS", "*");
  CHECK_FALSE(billing::allowed_return_url(any, "https://app.example.com/", kOwn));
  CHECK_FALSE(billing::default_return_url(any, "x").has_value());

  // the console this API serves: its own origin, under /console/ only
  CHECK(billing::allowed_return_url(any, "https://api.example.com/console/#/billing?checkout=success", kOwn));
  CHECK(billing::allowed_return_url(any, "HTTPS://API.example.com/console/", "https://api.example.com/"));
  CHECK_FALSE(billing::allowed_return_url(any, "https://api.example.com/assets/x", kOwn));
  CHECK_FALSE(billing::allowed_return_url(any, "https://api.example.com/console", kOwn));
  CHECK_FALSE(billing::allowed_return_url(any, "https://api.example.com.evil.example/console/", kOwn));
  CHECK_FALSE(billing::allowed_return_url(any, "https://api.example.com/console/", ""));
}
