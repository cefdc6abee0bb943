// Whole requests through the ABI entry and the App: router paths and query strings, headers
// (credentials, Range, Idempotency-Key), the JSON body of every endpoint, and what RunPod and
// Postgres answer. Input: "<METHOD> <target>\n<name>: <value>\n...\0<body>\0<fetched>\0<row>".
#include <cstdint>
#include <string>

#include "support/fake_shim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ag::fuzz::FakeShim shim;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto [head, rest] = ag::fuzz::split(input);
  auto [body, rest2] = ag::fuzz::split(rest);
  auto [fetched, row] = ag::fuzz::split(rest2);

  auto [request_line, header_lines] = ag::fuzz::split(head, '\n');
  auto [method, target] = ag::fuzz::split(request_line, ' ');
  if (method.empty() || target.empty() || target.front() != '/') return 0;
  ag::Json headers = ag::Json::array();
  while (!header_lines.empty()) {
    auto [line, more] = ag::fuzz::split(header_lines, '\n');
    header_lines = more;
    auto [name, value] = ag::fuzz::split(line, ':');
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.push_back({std::string(name), std::string(value)});
  }
  // Strings in the start frame must be valid UTF-8 JSON; invalid bytes are a shim-side refusal
  // (covered by abi_fuzz), not the handlers' concern.
  ag::Json start = {{"kind", "fetch"},
                    {"now", 1'700'000'000'000},
                    {"request",
                     {{"method", std::string(method)},
                      {"url", "https://api.fuzz.test" + std::string(target)},
                      {"headers", std::move(headers)},
                      {"has_body", !body.empty()}}}};
  if (!ag::parse_json(ag::dump(start))) return 0;
  ag::fuzz::Answers answers{std::string(body), std::string(fetched), 200, std::string(row)};
  shim.run(start, answers);
  return 0;
}
