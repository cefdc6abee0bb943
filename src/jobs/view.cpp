#include "jobs/view.hpp"

#include "assets/signed_url.hpp"
#include "auth/require.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/row.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

Task<JobRow> visible_job(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::string id(request.param("id"));
  // NOTE: not a `?:` around co_await: GCC 12 miscompiles that (double destruction).
  std::optional<JobRow> job;
  if (is_uuid(id)) job = co_await jobs::find_job(ctx, id);
  bool visible = job && (caller.admin || (caller.user && job->user_id == caller.user->id));
  if (!visible) co_await ctx.raise(errors::not_found("no such job"));
  co_return std::move(*job);
}

Json job_view(const JobRow& job) {
  return {{"ok", true},
          {"job_id", job.id},
          {"user_id", db::optional_text(job.user_id)},
          {"status", job.status},
          {"model", db::optional_text(job.model)},
          {"run_model", db::optional_text(job.run_model)},
          {"content_type", db::optional_text(job.content_type)},
          {"provider", db::optional_text(job.provider)},
          {"provider_job_id", db::optional_text(job.provider_job_id)},
          {"result", job.result},
          {"error", job.error},
          {"outputs", job.outputs},
          {"cost_credits", job.cost_credits},
          {"charged_credits", job.charged_credits ? Json(*job.charged_credits) : Json(nullptr)},
          {"created_at", db::optional_text(job.created_at)},
          {"updated_at", db::optional_text(job.updated_at)},
          {"finished_at", db::optional_text(job.finished_at)}};
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

Json shown_job(const Config& config, const std::string& base_url, const JobRow& job, std::int64_t now_s) {
  Json view = job_view(job);
  view["outputs"] = signed_outputs(config, base_url, view["outputs"], now_s);
  return view;
}

}  // namespace ag::jobs
