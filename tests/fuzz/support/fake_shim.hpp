#pragma once
// A deterministic stand-in for the JavaScript shim, for fuzz targets that push whole requests
// through the ABI entry: every effect gets a plausible answer drawn from the fuzz input, so
// handlers run past their first await instead of stopping at the first effect.
#include <string>
#include <string_view>

#include "abi/entry.hpp"
#include "api/app.hpp"

namespace ag::fuzz {

/// What the fake shim answers: `body` for request.body, `fetched` as every fetch response body
/// (status `fetch_status`), SQL with one row of `row` (a JSON object, or no rows when invalid).
struct Answers {
  std::string body;
  std::string fetched;
  int fetch_status = 200;
  std::string row;
};

class FakeShim {
 public:
  /// Configured like a fully set-up deployment (admin token, JWT secret, RunPod, signing).
  FakeShim();
  /// Runs one task from `start` (a start frame's JSON) to its end; aborts on a protocol error
  /// (a malformed step, or a task that never finishes).
  void run(const Json& start, const Answers& answers);

 private:
  api::App app_;
  abi::Entry entry_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

/// Drops the core's log lines (still formatted): a line per input would swamp the run.
void silence_logs();

/// Splits `data` at the first `separator` ('\x00' by default): {before, after}.
std::pair<std::string_view, std::string_view> split(std::string_view data, char separator = '\0');

}  // namespace ag::fuzz
