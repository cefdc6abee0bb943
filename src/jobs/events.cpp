#include "jobs/events.hpp"

#include <algorithm>
#include <optional>

#include "core/effects.hpp"
#include "http/event_stream.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/poll.hpp"
#include "jobs/store.hpp"
#include "jobs/view.hpp"

namespace ag::jobs {

namespace {
/// A `progress` event's data.
Json progress(const JobRow& job, const Json& report) {
  return {{"job_id", job.id}, {"status", job.status}, {"result", report}};
}
}  // namespace

Task<void> write_job_events(Ctx& ctx, std::string job_id, std::string base_url, std::int64_t seen) {
  const std::int64_t opened_ms = ctx.now_ms();
  std::int64_t quiet_since_ms = opened_ms;
  std::int64_t pause_ms = 0;
  std::optional<std::string> known_status;  // the status whose event the client has
  Json known_report;                        // the provider's report the client has seen
  for (;;) {
    if (pause_ms > 0) co_await ctx.perform(effect::sleep(pause_ms));
    std::optional<JobRow> job = co_await find_job(ctx, job_id);
    if (!job) co_return;
    const std::string status = job->status;
    JobRow current = co_await refreshed(ctx, std::move(*job));
    if (current.status != status) {
      pause_ms = 0;  // the provider's answer moved the job: read it back as stored, at once
      continue;
    }
    const Json report = current.result;
    if (status != known_status) {
      const std::int64_t event_id = co_await latest_job_event(ctx, job_id);
      if (event_id > seen) {
        std::string event =
            http::sse_event(event_id, "status", shown_job(ctx.config(), base_url, current, ctx.now_ms() / 1000));
        if (!co_await http::written(ctx, std::move(event))) co_return;
        seen = event_id;
        quiet_since_ms = ctx.now_ms();
      }
      known_status = status;
      known_report = report;
    } else if (report != known_report && !report.is_null()) {
      std::string event = http::sse_event(std::nullopt, "progress", progress(current, report));
      if (!co_await http::written(ctx, std::move(event))) co_return;
      known_report = report;
      quiet_since_ms = ctx.now_ms();
    }
    if (!is_open(status) || ctx.now_ms() - opened_ms >= kEventStreamMs) co_return;
    if (ctx.now_ms() - quiet_since_ms >= kKeepAliveMs) {
      std::string comment(http::kKeepAlive);
      if (!co_await http::written(ctx, std::move(comment))) co_return;
      quiet_since_ms = ctx.now_ms();
    }
    pause_ms = std::clamp<std::int64_t>(pause_ms * 2, 250, 1000);
  }
}

}  // namespace ag::jobs
