// GET /jobs?limit&cursor&status: the caller's jobs (admin: everyone's), newest first. The
// cursor is the (created_at, id) of the last job of the page, so jobs created meanwhile
// never shift a page.
#include "api/handlers.hpp"
#include "http/paging.hpp"
#include "jobs/view.hpp"
#include "auth/require.hpp"
#include "core/uuid.hpp"
#include "crypto/encoding.hpp"
#include "db/query.hpp"
#include "jobs/lifecycle.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kDefaultPage = 20;
constexpr std::uint32_t kMaxPage = 100;
constexpr std::string_view kCursorVersion = "v1:";

// One statement whatever the filters: null parameters switch them off. No `result`: a page
// would carry up to 100 provider replies of up to 1 MiB each; GET /jobs/:id shows it.
constexpr std::string_view kList =
    "select id, user_id, status, model, cost_credits, provider, provider_job_id, error, outputs, "
    "created_at, updated_at, finished_at, created_at::text as position from public.jobs "
    "where ($1::uuid is null or user_id = $1::uuid) and ($2::text is null or status = $2::text) "
    "and ($3::timestamptz is null or (created_at, id) < ($3::timestamptz, $4::uuid)) "
    "order by created_at desc, id desc limit $5::integer";

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
  if (status && !jobs::is_job_status(*status)) co_await ctx.raise(errors::invalid_request("unknown status: " + *status));

  Json owner = caller.user ? Json(caller.user->id) : Json(nullptr);
  Json params = Json::array({owner, status ? Json(*status) : Json(nullptr), after ? Json(after->created_at) : Json(nullptr),
                             after ? Json(after->id) : Json(nullptr), limit + 1});
  db::QueryResult result = co_await db::query_or_error(ctx, kList, std::move(params));
  if (result.error) {
    // A cursor can be well formed yet name an impossible instant ("2024-02-31"): Postgres
    // refuses it with a data exception (class 22). That is the caller's cursor, not our bug.
    if (after && result.error->code.rfind("22", 0) == 0) co_await ctx.raise(errors::invalid_request("invalid cursor"));
    co_await ctx.raise(db::api_error(ctx, *result.error));
  }
  const Json& rows = result.rows;

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
