#pragma once
#include <cstdint>
#include <string>

namespace ag {

/// Unix milliseconds as RFC 3339 UTC with millisecond precision: "2026-11-22T09:30:00.000Z".
std::string iso8601_utc(std::int64_t unix_ms);

}  // namespace ag
