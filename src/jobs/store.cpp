#include "jobs/store.hpp"

#include "db/query.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/webhooks.hpp"

namespace ag::jobs {
namespace {

Json optional_text(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }
Json optional_json(const Json& value) { return value.is_null() ? Json(nullptr) : Json(dump(value)); }

}  // namespace

Task<Json> create_job(Ctx& ctx, const NewJob& job) {
  Json params = Json::array({optional_text(job.user_id), optional_text(job.model), dump(job.payload),
                             job.jobs_per_hour, job.welcome_credits, job.idempotency_scope,
                             optional_text(job.idempotency_key), job.request_hash, job.deadline_s,
                             optional_text(job.webhook_token_hash)});
  Json rows = co_await db::query(ctx,
                                 "select c.*, (select m.endpoint_id from public.models m where m.id = "
                                 "coalesce($2::text, (select d.id from public.models d where d.is_default))) "
                                 "as endpoint_id from public.create_job($1::uuid, $2::text, $3::jsonb, "
                                 "$4::integer, $5::integer, $6::text, $7::text, $8::text, $9::integer, $10::text) c",
                                 std::move(params));
  co_return rows.empty() ? Json::object() : rows[0];
}

Task<Json> transition_job(Ctx& ctx, const Transition& transition) {
  Json status = transition.response_status ? Json(*transition.response_status) : Json(nullptr);
  Json params = Json::array({transition.job_id, transition.to, dump(transition.detail),
                             optional_json(transition.fields), status, optional_json(transition.response_body)});
  Json rows = co_await db::query(ctx,
                                 "select applied, status, refunded from public.transition_job($1::uuid, $2::text, "
                                 "$3::jsonb, $4::jsonb, $5::integer, $6::jsonb)",
                                 std::move(params));
  if (rows.empty()) co_return Json::object();
  // The job's webhook (if it asked for one) was queued by that same transaction; sending it
  // must not hold up whoever finished the job.
  if (rows[0].value("applied", false) && !is_open(string_field(rows[0], "status").value_or("queued")))
    ctx.run_after(deliver_webhooks_job(transition.job_id));
  co_return rows[0];
}

Task<std::optional<Json>> find_job(Ctx& ctx, const std::string& job_id) {
  Json params = Json::array({job_id});
  Json rows = co_await db::query(ctx,
                                 "select id, user_id, status, model, cost_credits, provider, provider_job_id, result, "
                                 "error, outputs, created_at, updated_at, finished_at, webhook_token_hash, provider_endpoint_id "
                                 "from public.jobs where id = $1::uuid",
                                 std::move(params));
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0];
}

}  // namespace ag::jobs
