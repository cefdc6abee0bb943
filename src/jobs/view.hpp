#pragma once
// What the /jobs endpoints share: which job a caller may see, and how a job looks to them.
#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"

namespace ag::jobs {

/// The job named by the `:id` parameter if the caller (owner or admin) may see it; 401 for
/// anonymous callers, 404 otherwise, so ids of others' jobs reveal nothing.
Task<JobRow> visible_job(Ctx& ctx, const Request& request);

/// The job as clients see it: no internals such as the callback token hash.
Json job_view(const JobRow& job);

/// The job as GET /jobs/:id answers it: job_view with its outputs' download links.
Json shown_job(const Config& config, const std::string& base_url, const JobRow& job, std::int64_t now_s);

/// A job's `outputs`, each stored one with a download link under `base_url` valid for a day
/// (no links when asset signing is not configured, nor for files retention has deleted).
Json signed_outputs(const Config& config, const std::string& base_url, const Json& outputs, std::int64_t now_s);

}  // namespace ag::jobs
