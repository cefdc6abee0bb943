#pragma once
// The job statuses as C++ sees them; the lifecycle itself (which transitions exist, which
// refund) is the job_statuses / job_transitions tables of migrations/0002.
#include <string_view>

namespace ag::jobs {

/// Whether a job in `status` may still change (queued, submitted, running).
bool is_open(std::string_view status);
/// Whether `status` is one of the lifecycle's.
bool is_job_status(std::string_view status);

}  // namespace ag::jobs
