#include "http/event_stream.hpp"

#include <utility>

namespace ag::http {

Response event_stream(Task<void> writer) {
  Response response;
  response.set_header("content-type", "text/event-stream; charset=utf-8");
  // Proxies that buffer (nginx's default) would hold the events back.
  response.set_header("x-accel-buffering", "no");
  response.body = StreamedBody{std::move(writer)};
  return response;
}

std::string sse_event(std::optional<std::int64_t> id, std::string_view name, const Json& data) {
  // dump() escapes line breaks inside strings, so the data is one `data:` line.
  std::string out = id ? "id: " + std::to_string(*id) + "\n" : std::string();
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += dump(data);
  out += "\n\n";
  return out;
}

std::optional<std::int64_t> last_event_id(const Request& request) {
  std::string_view value = trim_ows(request.header("last-event-id").value_or(""));
  if (value.empty() || value.size() > 18) return std::nullopt;
  std::int64_t id = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace ag::http
