// POST /jobs/:id/cancel (jobs/cancel.cpp says how a cancel races the provider).
#include "api/handlers.hpp"
#include "jobs/cancel.hpp"
#include "jobs/view.hpp"

namespace ag::api {

Task<Response> cancel_job(Ctx& ctx, const Request& request) {
  jobs::JobRow job = co_await jobs::visible_job(ctx, request);
  std::int64_t refunded = co_await jobs::cancel(ctx, job);
  co_return json_response(200, {{"ok", true}, {"job_id", job.id}, {"status", "cancelled"}, {"refunded", refunded}});
}

}  // namespace ag::api
