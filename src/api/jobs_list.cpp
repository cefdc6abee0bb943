// GET /jobs?limit&cursor&status: the caller's jobs (admin: everyone's), newest first. The
// cursor is the (created_at, id) of the last job of the page, so jobs created meanwhile
// never shift a page.
#include "api/handlers.hpp"
#include "http/created_cursor.hpp"
#include "http/paging.hpp"
#include "jobs/view.hpp"
#include "auth/require.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kDefaultPage = 20;
constexpr std::uint32_t kMaxPage = 100;
}  // namespace

Task<Response> list_jobs(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);

  std::uint32_t limit = co_await http::page_limit(ctx, request, kDefaultPage, kMaxPage);
  jobs::JobListing listing;
  listing.after = co_await http::created_cursor_param(ctx, request);
  listing.status = request.query_param("status");
  if (listing.status && !jobs::is_job_status(*listing.status))
    co_await ctx.raise(errors::invalid_request("unknown status: " + *listing.status));
  if (caller.user) listing.owner = caller.user->id;
  listing.limit = limit;
  const jobs::JobPage page = co_await jobs::list_jobs(ctx, listing);

  Json jobs = Json::array();
  for (const jobs::JobRow& job : page.jobs) {
    Json view = jobs::job_view(job);
    view.erase("ok");
    view.erase("result");
    jobs.push_back(std::move(view));
  }
  Json cursor = page.next ? Json(http::encode_created_cursor(*page.next)) : Json(nullptr);
  co_return json_response(200, {{"ok", true}, {"jobs", std::move(jobs)}, {"cursor", std::move(cursor)}});
}

}  // namespace ag::api
