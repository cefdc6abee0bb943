#pragma once
// Byte-string encodings (RFC 4648). Decoders are strict: they accept exactly one spelling
// of each byte string (no whitespace, no stray padding, zero unused bits), so a token
// has a single valid form and garbage is refused rather than guessed at.
#include <optional>
#include <string>
#include <string_view>

namespace ag::crypto {

/// Lower-case hexadecimal.
std::string hex_encode(std::string_view bytes);

/// Hexadecimal of either case; nullopt on an odd length or a non-hex character.
std::optional<std::string> hex_decode(std::string_view text);

/// Standard base64 with `=` padding.
std::string base64_encode(std::string_view bytes);

/// Padded standard base64; nullopt unless the text is the canonical encoding of some bytes.
std::optional<std::string> base64_decode(std::string_view text);

/// URL-safe base64 without padding, as JOSE uses it.
std::string base64url_encode(std::string_view bytes);

/// Unpadded URL-safe base64; nullopt on padding, foreign characters, impossible lengths or
/// non-zero unused bits.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ag::crypto
