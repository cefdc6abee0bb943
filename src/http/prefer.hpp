#pragma once
// The Prefer request header (RFC 7240): comma-separated preferences, names case-insensitive,
// unknown or malformed ones ignored.
#include <optional>
#include <string_view>

namespace ag::http {

/// The longest `Prefer: wait` honoured, as Replicate's.
inline constexpr int kMaxWaitSeconds = 60;

/// Seconds of a `wait` preference: `wait=N` (N from 1, capped at kMaxWaitSeconds) or a bare
/// `wait` (kMaxWaitSeconds); nullopt without one, or for a value that is not a number.
std::optional<int> wait_preference(std::optional<std::string_view> prefer);

}  // namespace ag::http
