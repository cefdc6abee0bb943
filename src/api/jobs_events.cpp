// GET /jobs/:id/events: the job's status changes as Server-Sent Events (jobs/events.hpp).
#include "api/handlers.hpp"
#include "http/base_url.hpp"
#include "http/event_stream.hpp"
#include "jobs/events.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/store.hpp"
#include "jobs/view.hpp"

namespace ag::api {

Task<Response> job_events(Ctx& ctx, const Request& request) {
  jobs::JobRow job = co_await jobs::visible_job(ctx, request);
  const std::string job_id = job.id;
  const std::optional<std::int64_t> seen = http::last_event_id(request);
  // A client that already has a finished job's last event is told there is nothing more:
  // EventSource stops reconnecting on 204.
  if (seen && !jobs::is_open(job.status)) {
    const std::int64_t last = co_await jobs::latest_job_event(ctx, job_id);
    if (*seen >= last) co_return Response{204, {}, {}};
  }
  Task<void> writer =
      jobs::write_job_events(ctx, job_id, http::public_base_url(ctx.config(), request), seen.value_or(-1));
  co_return http::event_stream(std::move(writer));
}

}  // namespace ag::api
