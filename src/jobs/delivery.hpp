#pragma once
// Sends the webhooks of finished jobs (migrations/functions/job_webhooks.sql queues them,
// jobs/webhooks.hpp signs them). A job's own delivery runs as a background task right after
// whatever finished it; the cron sweep sends the retries that fell due.
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// Claims the due deliveries (of `job_id` only, or of any job), sends them concurrently and
/// records each outcome. Returns `{"sent", "delivered"}`.
Task<Json> deliver_job_webhooks(Ctx& ctx, std::optional<std::string> job_id);

}  // namespace ag::jobs
