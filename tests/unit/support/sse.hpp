#pragma once
// Reading what a `stream: true` chat wrote: OpenAI's events, each one `data:` line.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ag::test {

/// The `data:` payloads of `text`, in order; fails the test on anything but `data: ...\n\n` events.
inline std::vector<std::string> sse_data(const std::string& text) {
  std::vector<std::string> data;
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    REQUIRE(text.compare(at, 6, "data: ") == 0);
    data.push_back(text.substr(at + 6, end - at - 6));
    at = end + 2;
  }
  return data;
}

}  // namespace ag::test
