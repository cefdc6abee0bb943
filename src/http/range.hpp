#pragma once
// HTTP Range requests for GET /assets (RFC 9110 §14). Only a single byte range is honoured:
// a server may ignore any Range header it does not understand and answer 200 with the whole
// body, which is always correct, so everything else parses to nullopt ("ignore").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http.hpp"

namespace ag::http {

/// One parsed range-spec. Exactly one of two shapes: `first` set (with `last` optional:
/// "bytes=100-" reads to the end), or only `suffix` set ("bytes=-500": the last 500 bytes).
struct ByteRangeSpec {
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> last;
  std::optional<std::uint64_t> suffix;
};

/// The byte span to send: `length` is never zero.
struct ResolvedRange {
  std::uint64_t offset;
  std::uint64_t length;
};

/// Parses a Range header value: "bytes=0-99", "bytes=100-", "bytes=-500", unit
/// case-insensitive, optional whitespace around the value and the range-spec. nullopt for
/// other units, several ranges, malformed text, first > last or signs. Numbers past uint64
/// read as UINT64_MAX: past the end of any object.
std::optional<ByteRangeSpec> parse_range_header(std::string_view value);

/// The span of an object of `size` bytes that `spec` selects; nullopt when unsatisfiable
/// (answer 416): first >= size, a zero suffix, or an empty object. `last` is clamped to the
/// end; a suffix longer than the object selects all of it.
std::optional<ResolvedRange> resolve_range(const ByteRangeSpec& spec, std::uint64_t size);

/// The range to serve, when the request asks for one to honour. If-Range naming another
/// version than `etag` means "send it all" (RFC 9110 §13.1.5).
std::optional<ByteRangeSpec> wanted_range(const Request& request, std::string_view etag);

/// The Content-Range value of a 206: "bytes 0-99/1000".
std::string content_range(const ResolvedRange& range, std::uint64_t size);

/// The Content-Range value of a 416: "bytes */1000".
std::string unsatisfied_content_range(std::uint64_t size);

}  // namespace ag::http
