// GET /jobs?limit&cursor&status: the caller's jobs (admin: everyone's), newest first. The
// cursor is the (created_at, id) of the last job of the page, so jobs created meanwhile
// never shift a page.
#include "api/handlers.hpp"
#include "http/paging.hpp"
#include "jobs/view.hpp"
#include "auth/require.hpp"
#include "core/uuid.hpp"
#include "crypto/encoding.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kDefaultPage = 20;
constexpr std::uint32_t kMaxPage = 100;
constexpr std::string_view kCursorVersion = "v1:";

struct Position {
  std::string created_at;
  std::string id;
};

std::string encode_cursor(const Json& row) {
  // `position` is created_at in Postgres' own text, microseconds included: the ISO form the
  // API shows stops at milliseconds, and a cursor that coarse would skip jobs.
  return crypto::base64url_encode(std::string(kCursorVersion) + string_field(row, "position").value_or("") + "|" +
                                  string_field(row, "id").value_or(""));
}

std::optional<Position> decode_cursor(std::string_view cursor) {
  auto text = crypto::base64url_decode(cursor);
  if (!text || text->rfind(kCursorVersion, 0) != 0) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(kCursorVersion.size());
  auto bar = rest.find('|');
  if (bar == std::string_view::npos || bar == 0 || bar > 40 || !is_uuid(rest.substr(bar + 1))) return std::nullopt;
  for (char c : rest.substr(0, bar)) {
    bool ok = (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == ' ' || c == '+';
    if (!ok) return std::nullopt;
  }
  return Position{std::string(rest.substr(0, bar)), std::string(rest.substr(bar + 1))};
}
}  // namespace

Task<Response> list_jobs(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);

  std::uint32_t limit = co_await http::page_limit(ctx, request, kDefaultPage, kMaxPage);
  std::optional<Position> after;
  if (auto cursor = request.query_param("cursor"); cursor && !cursor->empty()) {
    after = decode_cursor(*cursor);
    if (!after) co_await ctx.raise(errors::invalid_request("invalid cursor"));
  }
  auto status = request.query_param("status");
  if (status && !jobs::is_job_status(*status))
    co_await ctx.raise(errors::invalid_request("unknown status: " + *status));

  jobs::JobListing listing;
  if (caller.user) listing.owner = caller.user->id;
  listing.status = status;
  if (after) {
    listing.after_created_at = after->created_at;
    listing.after_id = after->id;
  }
  listing.limit = limit + 1;
  std::optional<Json> page = co_await jobs::list_jobs(ctx, listing);
  // A cursor can be well formed yet name an impossible instant: the caller's cursor, not our bug.
  if (!page) co_await ctx.raise(errors::invalid_request("invalid cursor"));
  const Json& rows = *page;

  // One row more than asked says whether there is a next page.
  const bool more = rows.size() > limit;
  Json jobs = Json::array();
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    Json view = jobs::job_view(rows[i]);
    view.erase("ok");
    view.erase("result");
    jobs.push_back(std::move(view));
  }
  Json next = more ? Json(encode_cursor(rows[limit - 1])) : Json(nullptr);
  co_return json_response(200, {{"ok", true}, {"jobs", std::move(jobs)}, {"cursor", std::move(next)}});
}

}  // namespace ag::api
