#pragma once
// Structured logs: one JSON object per line on stdout, which the shim forwards to
// console.log (Workers Logs indexes the fields). Never log secrets or tokens.
#include <functional>
#include <string_view>

#include "core/json.hpp"

namespace ag::log {

using Sink = std::function<void(std::string_view line)>;

/// Replaces where lines go (tests capture them); the default writes to stdout.
void set_sink(Sink sink);

/// Writes `fields` plus {"level": level, "msg": message} as one line.
void write(std::string_view level, std::string_view message, Json fields = Json::object());

inline void info(std::string_view message, Json fields = Json::object()) {
  write("info", message, std::move(fields));
}
inline void warn(std::string_view message, Json fields = Json::object()) {
  write("warn", message, std::move(fields));
}
inline void error(std::string_view message, Json fields = Json::object()) {
  write("error", message, std::move(fields));
}

}  // namespace ag::log
