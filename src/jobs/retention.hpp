#pragma once
// Retention, a pass of the cron sweep bounded per run: the files of jobs that finished more
// than OUTPUT_RETENTION_DAYS ago (default 30; 0 keeps them) are deleted from R2 and marked
// deleted in the job's outputs, and job events older than 90 days are pruned. SQL:
// migrations/functions/retention.sql.
#include <cstdint>

#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::jobs {

struct RetentionCounts {
  std::int64_t outputs_expired = 0;  // jobs whose files were deleted
  std::int64_t files_deleted = 0;
  std::int64_t events_pruned = 0;
};

Task<RetentionCounts> apply_retention(Ctx& ctx);

}  // namespace ag::jobs
