#pragma once
// What the /jobs endpoints share: which job a caller may see, and how a job looks to them.
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::api {

/// The job row named by the `:id` parameter if the caller (owner or admin) may see it;
/// 401 for anonymous callers, 404 otherwise, so ids of others' jobs reveal nothing.
Task<Json> visible_job(Ctx& ctx, const Request& request);

/// The job as clients see it: the row minus internals such as the callback token hash.
Json job_view(const Json& row);

/// Whether a job in `status` may still change (queued, submitted, running).
bool is_open(std::string_view status);
/// Whether `status` is one of the lifecycle's (migrations/0002 job_statuses).
bool is_job_status(std::string_view status);

}  // namespace ag::api
