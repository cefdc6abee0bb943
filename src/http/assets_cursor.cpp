#include "http/assets_cursor.hpp"

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::http {

namespace {
constexpr std::string_view kVersion = "v1:";
constexpr std::size_t kCheckDigits = 16;
constexpr std::size_t kMaxCursor = 4096;

std::string check_of(std::string_view prefix, std::string_view r2_cursor) {
  return crypto::sha256_hex(std::string(prefix) + "\n" + std::string(r2_cursor)).substr(0, kCheckDigits);
}
}  // namespace

std::string encode_assets_cursor(std::string_view prefix, std::string_view r2_cursor) {
  return crypto::base64url_encode(std::string(kVersion) + check_of(prefix, r2_cursor) + ":" + std::string(r2_cursor));
}

std::optional<std::string> decode_assets_cursor(std::string_view prefix, std::string_view cursor) {
  if (cursor.size() > kMaxCursor) return std::nullopt;
  auto text = crypto::base64url_decode(cursor);
  const std::size_t head = kVersion.size() + kCheckDigits + 1;
  if (!text || text->size() <= head || text->rfind(kVersion, 0) != 0 || (*text)[head - 1] != ':') return std::nullopt;
  std::string r2_cursor = text->substr(head);
  if (text->substr(kVersion.size(), kCheckDigits) != check_of(prefix, r2_cursor)) return std::nullopt;
  return r2_cursor;
}

}  // namespace ag::http
