#pragma once
// Sends the webhooks of finished jobs (migrations/functions/job_webhooks.sql queues them,
// jobs/webhooks.hpp signs them). Each attempt is a message on the JOBS Queue: a job's first
// right after whatever finished it, each retry delayed until it is due (Cloudflare Queues hold
// a message up to 12 h). The database stays the source of truth: a message only names the
// job, whose due delivery is claimed, so a lost or repeated message costs nothing, and the cron
// sweep sends whatever fell due without one (local Queues forget their messages on restart).
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// Claims the due deliveries (of `job_id` only, or of any job), sends them concurrently, records
/// each outcome and puts each retry it schedules on the Queue. Returns `{"sent", "delivered"}`.
Task<Json> deliver_job_webhooks(Ctx& ctx, std::optional<std::string> job_id);

}  // namespace ag::jobs
