#include "api/job_access.hpp"

#include <algorithm>
#include <array>

#include "auth/authenticate.hpp"
#include "core/uuid.hpp"
#include "db/row.hpp"
#include "jobs/store.hpp"

namespace ag::api {

Task<Json> visible_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::identify(ctx, request);
  if (caller.anonymous()) co_await ctx.raise(errors::unauthorized());
  std::string id(request.param("id"));
  // NOTE: not a `?:` around co_await: GCC 12 miscompiles that (double destruction).
  std::optional<Json> row;
  if (is_uuid(id)) row = co_await jobs::find_job(ctx, id);
  bool visible = row && (caller.admin || (caller.user && string_field(*row, "user_id") == caller.user->id));
  if (!visible) co_await ctx.raise(errors::not_found("no such job"));
  co_return std::move(*row);
}

Json job_view(const Json& row) {
  Json view = {{"ok", true}};
  for (const char* field : {"status", "model", "provider", "provider_job_id", "result", "error", "outputs",
                            "created_at", "updated_at", "finished_at"}) {
    view[field] = row.contains(field) ? row[field] : Json(nullptr);
  }
  view["job_id"] = row.value("id", Json(nullptr));
  view["user_id"] = row.value("user_id", Json(nullptr));
  view["cost_credits"] = db::integer_column(row, "cost_credits").value_or(0);
  return view;
}

bool is_job_status(std::string_view status) {
  static constexpr std::array<std::string_view, 9> kAll = {"queued", "submitted", "running", "completed", "failed",
                                                           "cancelled", "timed_out", "error", "noop"};
  return std::find(kAll.begin(), kAll.end(), status) != kAll.end();
}

bool is_open(std::string_view status) {
  static constexpr std::array<std::string_view, 3> kOpen = {"queued", "submitted", "running"};
  return std::find(kOpen.begin(), kOpen.end(), status) != kOpen.end();
}

}  // namespace ag::api
