// POST /jobs/:id/cancel (jobs/cancel.cpp says how a cancel races the provider).
#include "api/handlers.hpp"
#include "jobs/cancel.hpp"
#include "jobs/view.hpp"

namespace ag::api {

Task<Response> cancel_job(Ctx& ctx, const Request& request) {
  Json row = co_await jobs::visible_job(ctx, request);
  std::int64_t refunded = co_await jobs::cancel(ctx, row);
  co_return json_response(200, {{"ok", true},
                                {"job_id", string_field(row, "id").value_or("")},
                                {"status", "cancelled"},
                                {"refunded", refunded}});
}

}  // namespace ag::api
