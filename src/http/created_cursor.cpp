#include "http/created_cursor.hpp"

#include "core/uuid.hpp"
#include "crypto/encoding.hpp"

namespace ag::http {
namespace {
constexpr std::string_view kCursorVersion = "v1:";
}  // namespace

std::string encode_created_cursor(const CreatedPosition& position) {
  return crypto::base64url_encode(std::string(kCursorVersion) + position.created_at + "|" + position.id);
}

std::optional<CreatedPosition> decode_created_cursor(std::string_view cursor) {
  auto text = crypto::base64url_decode(cursor);
  if (!text || text->rfind(kCursorVersion, 0) != 0) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(kCursorVersion.size());
  auto bar = rest.find('|');
  if (bar == std::string_view::npos || bar == 0 || bar > 40 || !is_uuid(rest.substr(bar + 1))) return std::nullopt;
  for (char c : rest.substr(0, bar)) {
    bool ok = (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == ' ' || c == '+';
    if (!ok) return std::nullopt;
  }
  return CreatedPosition{std::string(rest.substr(0, bar)), std::string(rest.substr(bar + 1))};
}

Task<std::optional<CreatedPosition>> created_cursor_param(Ctx& ctx, const Request& request) {
  auto cursor = request.query_param("cursor");
  if (!cursor || cursor->empty()) co_return std::nullopt;
  std::optional<CreatedPosition> position = decode_created_cursor(*cursor);
  if (!position) co_await ctx.raise(errors::invalid_request("invalid cursor"));
  co_return position;
}

}  // namespace ag::http
