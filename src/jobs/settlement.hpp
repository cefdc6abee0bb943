#pragma once
// Usage-priced jobs settle on completion (docs/models.md "Usage-priced models"): the job
// reserved its price with every meter at its bound; completed, it costs what its provider
// reported, by the terms it was priced with (kept in its payload), and transition_job gives
// the rest back once (ledger key settle:<job_id>).
#include <cstdint>
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// What the job costs given the provider's `usage` report (providers::Provider::usage);
/// nullopt when there is nothing to settle: no report (every meter counts at its bound), a job
/// priced by its inputs alone, or terms that no longer read (its reservation stands).
Task<std::optional<std::int64_t>> settled_price(Ctx& ctx, const std::string& job_id, const Json& usage);

}  // namespace ag::jobs
