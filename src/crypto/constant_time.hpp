#pragma once
#include <string_view>

namespace ag::crypto {

/// Compares secrets without an early exit on the first differing byte. Only the
/// lengths may leak, and secrets here have public lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ag::crypto
