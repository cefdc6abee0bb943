#include "http/range.hpp"

#include <cstddef>
#include <cstdint>

#include "core/http.hpp"
#include "http/etag.hpp"

namespace ag::http {
namespace {

/// A run of ASCII digits as a number, saturated at UINT64_MAX: a position of more digits than
/// uint64 holds is past the end of any object, which makes "bytes=<huge>-" a 416 as it must be.
std::optional<std::uint64_t> position(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  bool saturated = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    saturated = saturated || value > (UINT64_MAX - digit) / 10;
    if (!saturated) value = value * 10 + digit;
  }
  return saturated ? UINT64_MAX : value;
}

}  // namespace

std::optional<ByteRangeSpec> parse_range_header(std::string_view value) {
  value = trim_ows(value);
  auto equals = value.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  if (!equals_ignore_case(value.substr(0, equals), "bytes")) return std::nullopt;
  std::string_view set = trim_ows(value.substr(equals + 1));
  // NOTE: any comma means several ranges (or empty list elements); ignoring the header is
  // always allowed, and serving multipart/byteranges is not worth its complexity here.
  if (set.find(',') != std::string_view::npos) return std::nullopt;
  auto dash = set.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = set.substr(0, dash);
  std::string_view last_text = set.substr(dash + 1);

  ByteRangeSpec spec;
  if (first_text.empty()) {  // suffix-range: "-" suffix-length
    spec.suffix = position(last_text);
    if (!spec.suffix) return std::nullopt;
    return spec;
  }
  spec.first = position(first_text);
  if (!spec.first) return std::nullopt;
  if (!last_text.empty()) {
    spec.last = position(last_text);
    if (!spec.last || *spec.last < *spec.first) return std::nullopt;
  }
  return spec;
}

std::optional<ResolvedRange> resolve_range(const ByteRangeSpec& spec, std::uint64_t size) {
  // NOTE: RFC 9110 would call a non-zero suffix of an empty object satisfiable, but an empty
  // span has no Content-Range spelling ("bytes 0--1/0"), so an empty object is always 416.
  if (size == 0) return std::nullopt;
  if (spec.first) {
    // A hand-built spec may mix the shapes or invert the bounds; refuse rather than guess.
    if (spec.suffix || (spec.last && *spec.last < *spec.first)) return std::nullopt;
    if (*spec.first >= size) return std::nullopt;
    std::uint64_t last = spec.last && *spec.last < size - 1 ? *spec.last : size - 1;
    return ResolvedRange{*spec.first, last - *spec.first + 1};
  }
  if (!spec.suffix || spec.last || *spec.suffix == 0) return std::nullopt;
  std::uint64_t length = *spec.suffix < size ? *spec.suffix : size;
  return ResolvedRange{size - length, length};
}

std::string content_range(const ResolvedRange& range, std::uint64_t size) {
  return "bytes " + std::to_string(range.offset) + "-" + std::to_string(range.offset + range.length - 1) + "/" +
         std::to_string(size);
}

std::optional<ByteRangeSpec> wanted_range(const Request& request, std::string_view etag) {
  auto header = request.header("range");
  if (!header) return std::nullopt;
  if (auto if_range = request.header("if-range"); if_range && *if_range != quoted_etag(etag)) return std::nullopt;
  return parse_range_header(*header);
}

std::string unsatisfied_content_range(std::uint64_t size) { return "bytes */" + std::to_string(size); }

}  // namespace ag::http
