#include "core/log.hpp"

#include <cstdio>
#include <string>

namespace ag::log {

namespace {
Sink& sink() {
  static Sink current = [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  };
  return current;
}
}  // namespace

void set_sink(Sink replacement) { sink() = std::move(replacement); }

void write(std::string_view level, std::string_view message, Json fields) {
  if (!fields.is_object()) fields = Json::object();
  fields["level"] = level;
  fields["msg"] = message;
  std::string line = dump(fields);
  line.push_back('\n');
  sink()(line);
}

}  // namespace ag::log
