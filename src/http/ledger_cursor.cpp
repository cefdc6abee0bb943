#include "http/ledger_cursor.hpp"

#include "core/decimal.hpp"
#include "crypto/encoding.hpp"

namespace ag::http {

namespace {
constexpr std::string_view kVersion = "v1:";
}  // namespace

std::string encode_ledger_cursor(std::int64_t last_id) {
  return crypto::base64url_encode(std::string(kVersion) + std::to_string(last_id));
}

std::optional<std::int64_t> decode_ledger_cursor(std::string_view cursor) {
  if (cursor.size() > 64) return std::nullopt;
  auto text = crypto::base64url_decode(cursor);
  if (!text || text->rfind(kVersion, 0) != 0) return std::nullopt;
  std::string_view digits = std::string_view(*text).substr(kVersion.size());
  // No leading zeros: one spelling per id.
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  auto id = parse_decimal(digits, 18);
  if (!id || *id == 0) return std::nullopt;
  return static_cast<std::int64_t>(*id);
}

}  // namespace ag::http
