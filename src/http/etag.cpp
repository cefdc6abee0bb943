#include "http/etag.hpp"

#include "core/http.hpp"

namespace ag::http {
namespace {

/// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(unsigned char c) { return c == 0x21 || (c >= 0x23 && c != 0x7F); }

/// The opaque-tag of one entity-tag ([W/] DQUOTE *etagc DQUOTE) without quotes.
std::optional<std::string> opaque_tag(std::string_view text) {
  if (text.rfind("W/", 0) == 0) text.remove_prefix(2);
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  for (unsigned char c : text) {
    if (!is_etagc(c)) return std::nullopt;
  }
  return std::string(text);
}

}  // namespace

std::optional<IfNoneMatch> parse_if_none_match(std::string_view value) {
  value = trim_ows(value);
  if (value == "*") return IfNoneMatch{true, {}};
  IfNoneMatch condition;
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view element = trim_ows(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (element.empty()) continue;  // a list may hold empty elements (RFC 9110 §5.6.1)
    auto tag = opaque_tag(element);
    if (!tag) return std::nullopt;
    condition.tags.push_back(std::move(*tag));
  }
  if (condition.tags.empty()) return std::nullopt;
  return condition;
}

bool matches(const IfNoneMatch& condition, std::string_view etag) {
  if (condition.any) return true;
  for (const std::string& tag : condition.tags) {
    if (tag == etag) return true;
  }
  return false;
}

std::optional<IfNoneMatch> if_none_match(const Request& request) {
  auto value = request.header("if-none-match");
  return value ? parse_if_none_match(*value) : std::nullopt;
}

bool not_modified(const Request& request, std::string_view etag) {
  auto condition = if_none_match(request);
  return condition && matches(*condition, etag);
}

std::string quoted_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

}  // namespace ag::http
