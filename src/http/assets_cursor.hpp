#pragma once
// The cursor of GET /assets: R2's own cursor, wrapped so that a cursor this API did not hand
// out, or handed out for another prefix, is told apart (400) instead of R2 answering page 1
// or an empty last page. base64url of "v1:" + 16 hex digits of SHA-256(prefix "\n" R2 cursor)
// + ":" + the R2 cursor. Not a secret: the prefix is authorised on its own.
#include <optional>
#include <string>
#include <string_view>

namespace ag::http {

/// The cursor that continues the listing of `prefix` where R2's `r2_cursor` points.
std::string encode_assets_cursor(std::string_view prefix, std::string_view r2_cursor);

/// R2's cursor inside `cursor`; nullopt unless encode_assets_cursor made it for `prefix`.
std::optional<std::string> decode_assets_cursor(std::string_view prefix, std::string_view cursor);

}  // namespace ag::http
