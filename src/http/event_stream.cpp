#include "http/event_stream.hpp"

#include <utility>

#include "core/decimal.hpp"
#include "core/effects.hpp"

namespace ag::http {

Response event_stream(Task<void> writer) {
  Response response;
  response.set_header("content-type", "text/event-stream; charset=utf-8");
  // Proxies that buffer (nginx's default) would hold the events back.
  response.set_header("x-accel-buffering", "no");
  response.body = StreamedBody{std::move(writer)};
  return response;
}

Task<bool> written(Ctx& ctx, std::string text) {
  EffectResult result = co_await ctx.perform(effect::stream_write(text));
  co_return !result.failed();
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
  auto id = parse_decimal(trim_ows(request.header("last-event-id").value_or("")), 18);
  if (!id) return std::nullopt;
  return static_cast<std::int64_t>(*id);
}

}  // namespace ag::http
