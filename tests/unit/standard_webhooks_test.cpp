// Standard Webhooks verification, against the specification's reference example.
#include <catch2/catch.hpp>

#include "crypto/standard_webhooks.hpp"

using namespace ag;
using standard_webhooks::Check;

namespace {

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view kTimestamp = "1614265330";
constexpr std::int64_t kNow = 1614265330;
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

Check check(std::string_view signatures, std::string_view body = kBody, std::int64_t now = kNow,
            std::string_view timestamp = kTimestamp) {
  return standard_webhooks::verify(kSecret, kId, timestamp, signatures, body, now);
}

}  // namespace

TEST_CASE("a Standard Webhooks signature is valid when any v1 entry matches", "[standard_webhooks]") {
  CHECK(check(kSignature) == Check::valid);
  CHECK(check("v1,bm90IHRoaXMgb25l " + std::string(kSignature)) == Check::valid);
  CHECK(check(std::string(kSignature) + " v1a,ignored") == Check::valid);
}

TEST_CASE("a Standard Webhooks signature over another body, or of another version, does not match",
          "[standard_webhooks]") {
  CHECK(check(kSignature, R"({"test": 2432232315})") == Check::mismatch);
  CHECK(check("v2," + std::string(kSignature.substr(3))) == Check::mismatch);
  CHECK(check("") == Check::mismatch);
}

TEST_CASE("a Standard Webhooks timestamp must be a number within five minutes of now", "[standard_webhooks]") {
  CHECK(check(kSignature, kBody, kNow + 300) == Check::valid);
  CHECK(check(kSignature, kBody, kNow + 301) == Check::stale);
  CHECK(check(kSignature, kBody, kNow - 301) == Check::stale);
  CHECK(check(kSignature, kBody, kNow, "16142653x0") == Check::malformed);
  CHECK(check(kSignature, kBody, kNow, "") == Check::malformed);
  CHECK(check(kSignature, kBody, kNow, "-1614265330") == Check::malformed);
}

TEST_CASE("a Standard Webhooks check needs an id and a well-formed secret", "[standard_webhooks]") {
  CHECK(standard_webhooks::verify(kSecret, "", kTimestamp, kSignature, kBody, kNow) == Check::malformed);
  CHECK(standard_webhooks::verify("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kId, kTimestamp, kSignature, kBody, kNow) ==
        Check::malformed);
}
