#pragma once
// Reading request bodies the core must see (JSON, webhooks), always size-capped and
// refused before reading when Content-Length already says too much.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::http {

/// Largest JSON body a client may send (a job, a signing request). A parsed document takes
/// many times its text in the core's memory, which only grows (a 1 MiB body of empty objects
/// grew it by 37 MiB, and six at once exhausted it); media goes through PUT /assets instead.
constexpr std::uint64_t kMaxJsonBody = 64 << 10;

/// The raw body (empty when there is none); raises 413 over `max_bytes`.
Task<std::string> read_body(Ctx& ctx, const Request& request, std::uint64_t max_bytes);

/// `text` parsed as a client's JSON object; raises 400 when it is not one.
Task<Json> parse_json_object(Ctx& ctx, std::string_view text);

/// The body parsed as a JSON object; raises 400 when it is not one.
Task<Json> read_json_object(Ctx& ctx, const Request& request, std::uint64_t max_bytes = kMaxJsonBody);

}  // namespace ag::http
