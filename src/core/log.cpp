#include "core/log.hpp"

#include <utility>

namespace ag::log {

namespace {
std::vector<Json>& kept() {
  static std::vector<Json> entries;
  return entries;
}

Sink& sink() {
  static Sink current;
  return current;
}
}  // namespace

void set_sink(Sink replacement) { sink() = std::move(replacement); }

std::vector<Json> take() { return std::exchange(kept(), {}); }

void write(std::string_view level, std::string_view message, Json fields) {
  if (!fields.is_object()) fields = Json::object();
  fields["level"] = level;
  fields["msg"] = message;
  if (sink()) {
    sink()(std::move(fields));
  } else {
    kept().push_back(std::move(fields));
  }
}

}  // namespace ag::log
