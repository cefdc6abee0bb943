#pragma once
// Structured logs: JSON objects that the shim hands to console.log (Workers Logs indexes
// the fields). They leave the core with the step of the ABI call that wrote them
// (abi::Entry takes them), not through stdout: the shim then needs neither a line
// buffer nor a second JSON.parse per entry. Never log secrets or tokens.
#include <functional>
#include <vector>

#include "core/json.hpp"

namespace ag::log {

using Sink = std::function<void(Json entry)>;

/// Replaces where entries go (tests capture or drop them); an empty Sink, the default,
/// keeps them for take().
void set_sink(Sink sink);

/// The entries the default sink kept since the last call, oldest first.
std::vector<Json> take();

/// Writes `fields` plus {"level": level, "msg": message} as one entry.
void write(std::string_view level, std::string_view message, Json fields = Json::object());

inline void info(std::string_view message, Json fields = Json::object()) { write("info", message, std::move(fields)); }
inline void warn(std::string_view message, Json fields = Json::object()) { write("warn", message, std::move(fields)); }
inline void error(std::string_view message, Json fields = Json::object()) {
  write("error", message, std::move(fields));
}

}  // namespace ag::log
