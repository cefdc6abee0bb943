#pragma once
// Plain HTTP values exchanged between the router, the handlers and the shim.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/json.hpp"
#include "core/task.hpp"

namespace ag {

/// Header lists keep arrival order; names are lowercase (the shim lowercases them).
using Headers = std::vector<std::pair<std::string, std::string>>;

/// First value of a header, by lowercase name.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

/// `text` without HTTP's optional white space (spaces and tabs, RFC 9110 §5.6.3) at its ends.
std::string_view trim_ows(std::string_view text);

/// Whether `text` is `lower` (given in lowercase) in any ASCII case: a token such as a range
/// unit or a preference name.
bool equals_ignore_case(std::string_view text, std::string_view lower);

struct Request {
  std::string method;
  std::string url;
  std::string path;   // raw (still percent-encoded), without the query
  std::string query;  // raw, without '?'
  Headers headers;
  bool has_body = false;
  /// The body when the shim sent it with the start frame (small bodies); otherwise it stays
  /// with the shim until a handler asks for it (http/body.hpp) or streams it to R2.
  std::optional<std::string> body;
  std::vector<std::pair<std::string, std::string>> params;  // decoded, set by the router

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
  /// A decoded query parameter (first occurrence).
  std::optional<std::string> query_param(std::string_view name) const;
  /// A path parameter captured by the router (":name" or "*name").
  std::string_view param(std::string_view name) const;
  /// Content-Length when present and a well-formed decimal number.
  std::optional<std::uint64_t> content_length() const;
};

/// Splits an absolute URL into path and query; nullopt when it has no scheme://authority.
std::optional<std::pair<std::string, std::string>> split_url(std::string_view url);

/// Percent-decoding; '+' is a space only in query strings. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// The body of a response that streams an object held by the shim (see `r2.get`).
struct R2BodyHandle {
  std::int64_t handle = 0;
};

/// A body the shim writes from parts: text as it is, and held objects (see `r2.get`) as base64,
/// so a JSON answer can carry files whose bytes never enter the core.
struct ComposedBody {
  struct Part {
    std::string text;
    std::optional<std::int64_t> base64_of;  // a held object's handle, written as base64 instead of text
  };
  std::vector<Part> parts;
};

/// A body written while the request stays open (Server-Sent Events): the head goes out at once,
/// then `writer` runs as the rest of the task, each `stream.write` effect it performs a chunk
/// of the body; the body ends when the writer does, or the task is cancelled when the client
/// goes away (src/abi/README.md, "Streamed bodies").
struct StreamedBody {
  Task<void> writer;
};

struct Response {
  int status = 200;
  Headers headers;
  std::variant<std::monostate, std::string, R2BodyHandle, ComposedBody, StreamedBody> body;

  void set_header(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

/// A JSON response; the body is `value` serialised.
Response json_response(int status, const Json& value);

}  // namespace ag
