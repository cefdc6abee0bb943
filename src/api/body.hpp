#pragma once
// Reading request bodies the core must see (JSON, webhooks), always size-capped and
// refused before reading when Content-Length already says too much.
#include <cstdint>
#include <string>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::api {

/// Largest JSON body any endpoint accepts.
constexpr std::uint64_t kMaxJsonBody = 1 << 20;

/// The raw body (empty when there is none); raises 413 over `max_bytes`.
Task<std::string> read_body(Ctx& ctx, const Request& request, std::uint64_t max_bytes);

/// The 400 for a body that is not a JSON object within kMaxJsonDepth.
ApiError not_a_json_object();

/// The body parsed as a JSON object; raises 400 when it is not one.
Task<Json> read_json_object(Ctx& ctx, const Request& request,
                            std::uint64_t max_bytes = kMaxJsonBody);

}  // namespace ag::api
