#pragma once
// If-None-Match for GET and HEAD /assets (RFC 9110 §13.1.2): "*" or a list of entity tags,
// compared weakly (W/ ignored). A header that does not parse is ignored, as a validator the
// server cannot understand must be: the full answer is always correct.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"

namespace ag::http {

struct IfNoneMatch {
  bool any = false;               // "*": any current version
  std::vector<std::string> tags;  // opaque-tags without quotes or W/
};

/// The parsed header; nullopt when it is malformed or names no tag.
std::optional<IfNoneMatch> parse_if_none_match(std::string_view value);

/// Whether an object whose bare ETag is `etag` satisfies the condition (answer 304).
bool matches(const IfNoneMatch& condition, std::string_view etag);

/// The request's If-None-Match, when it has one that parses.
std::optional<IfNoneMatch> if_none_match(const Request& request);

/// Whether the request's If-None-Match holds for an object tagged `etag`: answer 304.
bool not_modified(const Request& request, std::string_view etag);

/// A bare ETag as headers carry it, between double quotes.
std::string quoted_etag(std::string_view etag);

}  // namespace ag::http
