#include "assets/signed_url.hpp"

#include <optional>

#include "core/decimal.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/derived_secret.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace ag::assets {
namespace {

// Domain separation: the same secret may one day sign other things (another link kind, a
// cookie, a later version of this format). A fixed purpose-and-version prefix means a MAC
// made for any of those can never be replayed as an asset link, nor the reverse. The
// decimal expiry holds no '\n', so the last '\n' splits key from expiry unambiguously:
// distinct (key, expires) pairs never produce the same message.
constexpr std::string_view kSignaturePrefix = "alphogen-asset-v1\n";

// One spelling per instant: without the leading-zero rule "0170…" would verify with the
// signature of "170…", i.e. the link could be altered and still pass. 12 digits reach the
// year 33658 and cannot overflow int64.
std::optional<std::int64_t> parse_expires(std::string_view text) {
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  auto value = parse_decimal(text, 12);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::optional<std::string> signing_secret(const Config& config) {
  return crypto::configured_or_derived_secret(config.get("ASSET_SIGNING_SECRET"), config.get("APP_ADMIN_TOKEN"),
                                              "alphogen-asset-signing-key-v1");
}

std::string asset_signature(std::string_view secret, std::string_view key, std::int64_t expires_s) {
  std::string message(kSignaturePrefix);
  message.append(key);
  message.push_back('\n');
  message.append(std::to_string(expires_s));
  return crypto::base64url_encode(crypto::as_bytes(crypto::hmac_sha256(secret, message)));
}

std::string signed_url(std::string_view secret, std::string_view base_url, std::string_view key,
                       std::int64_t expires_s) {
  return std::string(base_url) + "/assets/" + encode_key_path(key) + "?expires=" + std::to_string(expires_s) +
         "&sig=" + asset_signature(secret, key, expires_s);
}

SignatureCheck check_asset_signature(std::string_view secret, std::string_view key, std::string_view expires_param,
                                     std::string_view sig_param, std::int64_t now_s) {
  // An HMAC under an empty key is forgeable by anyone; a misconfigured secret must not
  // turn every private key public.
  if (secret.empty()) return SignatureCheck::invalid;
  auto expires = parse_expires(expires_param);
  if (!expires) return SignatureCheck::invalid;
  // The expected signature has a public, fixed length (43 characters), so only that
  // length leaks on a mismatch; constant_time_equal refuses other lengths before
  // looking at any content.
  if (!crypto::constant_time_equal(asset_signature(secret, key, *expires), sig_param)) {
    return SignatureCheck::invalid;
  }
  // Only now, for an authentic link, is the expiry worth reporting.
  return now_s >= *expires ? SignatureCheck::expired : SignatureCheck::valid;
}

std::string encode_key_path(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if (is_unreserved(c) || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace ag::assets
