#include "jobs/view.hpp"

#include "assets/signed_url.hpp"
#include "auth/require.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/row.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

Task<Json> visible_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
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
  for (const char* field : {"status", "model", "run_model", "content_type", "provider", "provider_job_id", "result",
                            "error", "outputs", "created_at", "updated_at", "finished_at"}) {
    view[field] = row.contains(field) ? row[field] : Json(nullptr);
  }
  view["job_id"] = row.value("id", Json(nullptr));
  view["user_id"] = row.value("user_id", Json(nullptr));
  view["cost_credits"] = db::integer_column(row, "cost_credits").value_or(0);
  auto charged = db::integer_column(row, "charged_credits");  // null while the job is open
  view["charged_credits"] = charged ? Json(*charged) : Json(nullptr);
  return view;
}

Json signed_outputs(const Config& config, const std::string& base_url, const Json& outputs, std::int64_t now_s) {
  constexpr std::int64_t kOutputLinkSeconds = 24 * 3600;
  if (!outputs.is_array()) return Json::array();
  auto secret = assets::signing_secret(config);
  Json signed_list = Json::array();
  for (Json entry : outputs) {
    auto key = string_field(entry, "key");
    if (key && secret && !entry.contains("deleted_at")) {  // deleted by retention: no link
      const std::int64_t expires = now_s + kOutputLinkSeconds;
      entry["url"] = assets::signed_url(*secret, base_url, *key, expires);
      entry["expires_at"] = iso8601_utc(expires * 1000);
    }
    signed_list.push_back(std::move(entry));
  }
  return signed_list;
}

Json shown_job(const Config& config, const std::string& base_url, const Json& row, std::int64_t now_s) {
  Json view = job_view(row);
  view["outputs"] = signed_outputs(config, base_url, view["outputs"], now_s);
  return view;
}

}  // namespace ag::jobs
