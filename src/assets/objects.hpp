#pragma once
// Reading the assets' R2 objects, and what an R2 failure means to the request: a logged 500.
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/r2_reply.hpp"
#include "core/task.hpp"

namespace ag::assets {

/// Logs the failed R2 reply and ends the request with 500.
Task<> raise_storage_failure(Ctx& ctx, const EffectResult& reply);

/// Performs `effect` (an r2.head or r2.get) and returns the object it found; 404 when there
/// is none.
Task<effect::R2Object> found_object(Ctx& ctx, Json effect);

}  // namespace ag::assets
