#pragma once
// Server-Sent Events (HTML Living Standard, "Server-sent events"): the response head, the
// wire form of an event, and the Last-Event-ID a reconnecting client sends back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::http {

/// A comment line: keeps proxies from closing an idle stream; clients ignore it.
inline constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

/// A 200 `text/event-stream` answer whose body `writer` writes (StreamedBody).
Response event_stream(Task<void> writer);

/// Writes `text` to the streamed body (effect::stream_write); false once the client has gone.
Task<bool> written(Ctx& ctx, std::string text);

/// One event: `id` (none: the client's last event id stays as it was), `event` (its name) and
/// `data` (JSON on one line).
std::string sse_event(std::optional<std::int64_t> id, std::string_view name, const Json& data);

/// The Last-Event-ID header as the ids sse_event writes (a decimal number); nullopt when absent
/// or anything else, so a client with a stranger id starts from the beginning.
std::optional<std::int64_t> last_event_id(const Request& request);

}  // namespace ag::http
