#pragma once
// The Idempotency-Key header of a request that creates something (POST /jobs, the /v1 calls).
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::http {

/// The request's Idempotency-Key, or nullopt without one; raises 400 unless it is 1 to 255
/// characters.
Task<std::optional<std::string>> idempotency_key(Ctx& ctx, const Request& request);

}  // namespace ag::http
