#pragma once
// application/x-www-form-urlencoded bodies, as Stripe's API takes them
// (https://docs.stripe.com/api/request_body): nested fields as `line_items[0][price]`,
// brackets percent-encoded, spaces as '+' (the WHATWG URL standard's serializer).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag::stripe {

using FormFields = std::vector<std::pair<std::string, std::string>>;

/// One name or value, encoded: ASCII alphanumerics and `*-._` stay, space is '+', every
/// other byte is %XX (uppercase hex).
std::string form_encode(std::string_view text);

/// `name=value&...` in the given order.
std::string form_body(const FormFields& fields);

}  // namespace ag::stripe
