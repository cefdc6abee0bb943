#pragma once
// The `limit` query parameter of the list endpoints.
#include <cstdint>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::http {

/// `?limit=` as an integer in 1..`max`, `fallback` when absent; raises 400 otherwise.
Task<std::uint32_t> page_limit(Ctx& ctx, const Request& request, std::uint32_t fallback, std::uint32_t max);

}  // namespace ag::http
