#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "http/range.hpp"

using namespace ag;
using http::ByteRangeSpec;
using http::parse_range_header;
using http::resolve_range;

namespace {

using Opt = std::optional<std::uint64_t>;

void check_spec(std::string_view header, Opt first, Opt last, Opt suffix) {
  INFO(header);
  auto spec = parse_range_header(header);
  REQUIRE(spec);
  CHECK(spec->first == first);
  CHECK(spec->last == last);
  CHECK(spec->suffix == suffix);
}

// "offset+length" of the resolved span, or "416".
std::string resolved(const ByteRangeSpec& spec, std::uint64_t size) {
  auto range = resolve_range(spec, size);
  if (!range) return "416";
  return std::to_string(range->offset) + "+" + std::to_string(range->length);
}

ByteRangeSpec from(std::uint64_t first, Opt last = std::nullopt) { return {first, last, std::nullopt}; }
ByteRangeSpec suffix(std::uint64_t length) { return {std::nullopt, std::nullopt, length}; }

}  // namespace

TEST_CASE("Range: the three single-range forms parse", "[assets][range]") {
  check_spec("bytes=0-99", 0, 99, std::nullopt);
  check_spec("bytes=5-5", 5, 5, std::nullopt);
  check_spec("bytes=100-", 100, std::nullopt, std::nullopt);
  check_spec("bytes=-500", std::nullopt, std::nullopt, 500);
  check_spec("bytes=-0", std::nullopt, std::nullopt, 0);  // parses; resolving refuses it
  check_spec("bytes=0000000000000000001-9999999999999999999", 1, 9999999999999999999ull, std::nullopt);
}

TEST_CASE("Range: unit case and surrounding whitespace are tolerated", "[assets][range]") {
  check_spec("BYTES=0-1", 0, 1, std::nullopt);
  check_spec("Bytes=0-1", 0, 1, std::nullopt);
  check_spec("  bytes=0-1\t", 0, 1, std::nullopt);
  check_spec("bytes= 10-20 ", 10, 20, std::nullopt);
  check_spec("bytes=\t-7", std::nullopt, std::nullopt, 7);
}

TEST_CASE("Range: anything not honoured parses to nullopt", "[assets][range]") {
  for (std::string_view header : {
           "",           "bytes",      "bytes=",      "bytes=-",       "bytes= ",       "=0-1",
           "items=0-1",  "bytesx=0-1", "byte=0-1",    "bytes=0-1,5-6", "bytes=0-1,",    "bytes=,0-1",
           "bytes=5-3",  "bytes=abc-", "bytes=0-abc", "bytes=-abc",    "bytes=0x10-20", "bytes=1-2-3",
           "bytes=--5",  "bytes=-5-",  "bytes=-1-2",  "bytes=+1-2",    "bytes=1-+2",    "bytes=-+5",
           "bytes=1 -2", "bytes=1- 2", "bytes =0-1",  "bytes=0-1 x",   "bytes=0.5-1",   "bytes=0-1\n",
       }) {
    INFO('"' << std::string(header) << '"');
    CHECK_FALSE(parse_range_header(header));
  }
}

TEST_CASE("Range: numbers past uint64 mean a position past any end", "[assets][range]") {
  // The README promises 416 for a range starting past the end, however many digits say so.
  constexpr std::uint64_t kMax = UINT64_MAX;
  check_spec("bytes=99999999999999999999-", kMax, std::nullopt, std::nullopt);
  check_spec("bytes=18446744073709551616-", kMax, std::nullopt, std::nullopt);
  check_spec("bytes=0-18446744073709551615", 0, kMax, std::nullopt);
  check_spec("bytes=0-99999999999999999999999999", 0, kMax, std::nullopt);
  check_spec("bytes=-99999999999999999999", std::nullopt, std::nullopt, kMax);
  check_spec("bytes=00000000000000000001-", 1, std::nullopt, std::nullopt);
  CHECK(resolved(*parse_range_header("bytes=99999999999999999999-"), 11) == "416");
  CHECK(resolved(*parse_range_header("bytes=5-99999999999999999999"), 11) == "5+6");
  CHECK(resolved(*parse_range_header("bytes=-99999999999999999999"), 11) == "0+11");
  CHECK_FALSE(parse_range_header("bytes=99999999999999999999-5"));  // last < first
}

TEST_CASE("Range: resolution against the object size", "[assets][range]") {
  // int-range inside, at and beyond the end.
  CHECK(resolved(from(0, 99), 1000) == "0+100");
  CHECK(resolved(from(0, 0), 1000) == "0+1");
  CHECK(resolved(from(999, 999), 1000) == "999+1");  // first == size - 1
  CHECK(resolved(from(999), 1000) == "999+1");
  CHECK(resolved(from(500, 5000), 1000) == "500+500");  // last clamped to size - 1
  CHECK(resolved(from(0, 999), 1000) == "0+1000");
  CHECK(resolved(from(0, 1000), 1000) == "0+1000");
  CHECK(resolved(from(100), 1000) == "100+900");
  CHECK(resolved(from(0, 9999999999999999999ull), 1) == "0+1");
  CHECK(resolved(from(1000), 1000) == "416");  // first == size
  CHECK(resolved(from(1000, 2000), 1000) == "416");
  CHECK(resolved(from(5000), 1000) == "416");
  // suffix-range.
  CHECK(resolved(suffix(500), 1000) == "500+500");
  CHECK(resolved(suffix(1), 1000) == "999+1");
  CHECK(resolved(suffix(1000), 1000) == "0+1000");
  CHECK(resolved(suffix(1001), 1000) == "0+1000");  // longer than the object: all of it
  CHECK(resolved(suffix(9999999999999999999ull), 3) == "0+3");
  CHECK(resolved(suffix(0), 1000) == "416");
  // An empty object satisfies nothing.
  CHECK(resolved(from(0), 0) == "416");
  CHECK(resolved(from(0, 0), 0) == "416");
  CHECK(resolved(suffix(1), 0) == "416");
  CHECK(resolved(suffix(0), 0) == "416");
  // Large objects do not overflow.
  constexpr std::uint64_t kHuge = 18446744073709551615ull;
  CHECK(resolved(from(0), kHuge) == "0+18446744073709551615");
  CHECK(resolved(suffix(10), kHuge) == "18446744073709551605+10");
}

TEST_CASE("Range: hand-built specs outside the two shapes are refused", "[assets][range]") {
  CHECK(resolved({}, 1000) == "416");
  CHECK(resolved({5, 3, std::nullopt}, 1000) == "416");
  CHECK(resolved({0, std::nullopt, 5}, 1000) == "416");
  CHECK(resolved({std::nullopt, 5, 5}, 1000) == "416");
  CHECK(resolved({std::nullopt, 5, std::nullopt}, 1000) == "416");
}

TEST_CASE("Range: parse then resolve end to end", "[assets][range]") {
  auto resolve = [](std::string_view header, std::uint64_t size) {
    auto spec = parse_range_header(header);
    REQUIRE(spec);
    return resolved(*spec, size);
  };
  CHECK(resolve("bytes=0-99", 1000) == "0+100");
  CHECK(resolve("bytes=100-", 1000) == "100+900");
  CHECK(resolve("bytes=-500", 1000) == "500+500");
  CHECK(resolve("bytes=-0", 1000) == "416");
  CHECK(resolve("bytes=1000-", 1000) == "416");
}

TEST_CASE("Range: Content-Range values", "[assets][range]") {
  CHECK(http::content_range({0, 100}, 1000) == "bytes 0-99/1000");
  CHECK(http::content_range({999, 1}, 1000) == "bytes 999-999/1000");
  CHECK(http::content_range({0, 1}, 1) == "bytes 0-0/1");
  CHECK(http::content_range({500, 500}, 1000) == "bytes 500-999/1000");
  CHECK(http::content_range({0, 18446744073709551615ull}, 18446744073709551615ull) ==
        "bytes 0-18446744073709551614/18446744073709551615");
  CHECK(http::unsatisfied_content_range(1000) == "bytes */1000");
  CHECK(http::unsatisfied_content_range(0) == "bytes */0");
}
