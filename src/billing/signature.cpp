#include "billing/signature.hpp"

#include <optional>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::billing {
namespace {

struct ParsedHeader {
  std::optional<std::int64_t> timestamp;
  std::vector<std::string_view> v1;
  bool malformed = false;
};

ParsedHeader parse_header(std::string_view header) {
  ParsedHeader parsed;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    auto equals = part.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      parsed.malformed = true;
      continue;
    }
    std::string_view key = part.substr(0, equals);
    std::string_view value = part.substr(equals + 1);
    if (key == "t") {
      // NOTE: a second t= is refused rather than choosing one of them.
      auto seconds = parse_decimal(value, 12);
      if (!seconds || parsed.timestamp)
        parsed.malformed = true;
      else
        parsed.timestamp = static_cast<std::int64_t>(*seconds);
    } else if (key == "v1") {
      parsed.v1.push_back(value);
    }
  }
  if (!parsed.timestamp) parsed.malformed = true;
  return parsed;
}

}  // namespace

SignatureCheck verify_signature(std::string_view header, std::string_view raw_body, std::string_view secret,
                                std::int64_t now_s, std::int64_t tolerance_s) {
  ParsedHeader parsed = parse_header(header);
  if (parsed.malformed) return SignatureCheck::malformed;
  if (parsed.v1.empty()) return SignatureCheck::no_v1;
  std::int64_t age = now_s - *parsed.timestamp;
  if (age > tolerance_s || age < -tolerance_s) return SignatureCheck::stale;

  std::string signed_payload = std::to_string(*parsed.timestamp);
  signed_payload += '.';
  signed_payload += raw_body;
  const std::string expected = crypto::hex_encode(crypto::as_bytes(crypto::hmac_sha256(secret, signed_payload)));
  bool any = false;
  for (std::string_view candidate : parsed.v1) any |= crypto::constant_time_equal(candidate, expected);
  return any ? SignatureCheck::valid : SignatureCheck::mismatch;
}

std::string_view to_string(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::valid:
      return "valid";
    case SignatureCheck::malformed:
      return "malformed";
    case SignatureCheck::no_v1:
      return "no_v1";
    case SignatureCheck::stale:
      return "stale";
    case SignatureCheck::mismatch:
      return "mismatch";
  }
  return "unknown";
}

}  // namespace ag::billing
