#pragma once
// Where Stripe may send a user back to (Checkout success/cancel, the portal's return): only
// to the browser origins this API already trusts, CORS_ORIGINS ("*" is not an origin and
// allows nothing here), or to the console this API serves itself (<own base>/console/...), so
// no one can use our Checkout pages to bounce a user elsewhere.
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace ag::billing {

/// "scheme://host[:port]" of an absolute http(s) URL, lowercased; nullopt when `url` is not
/// one (no scheme, userinfo, whitespace or control characters, over 2048 bytes).
std::optional<std::string> url_origin(std::string_view url);

/// Whether `url` is an http(s) URL on one of the CORS_ORIGINS, or a page of the console on
/// this API's own origin (`own_base`: http::public_base_url, e.g. "https://api.example.com").
bool allowed_return_url(const Config& config, std::string_view url, std::string_view own_base);

/// `<first CORS origin>/billing?<query>`, the default return page; nullopt when
/// CORS_ORIGINS names no origin.
std::optional<std::string> default_return_url(const Config& config, std::string_view query);

}  // namespace ag::billing
