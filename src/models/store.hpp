#pragma once
// The models a job can name (public.models, seeded by migrations/0002), with their prices:
// every statement about them.
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::models {

/// The enabled models, the default first, then by id; each
/// {"id","provider","content_type","cost_credits","default"}.
Task<Json> enabled_models(Ctx& ctx);

}  // namespace ag::models
