#include "jobs/store.hpp"

#include "db/query.hpp"

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
                                 "select * from public.create_job($1::uuid, $2::text, $3::jsonb, $4::integer, "
                                 "$5::integer, $6::text, $7::text, $8::text, $9::integer, $10::text)",
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
  co_return rows.empty() ? Json::object() : rows[0];
}

Task<std::optional<Json>> find_job(Ctx& ctx, const std::string& job_id) {
  Json params = Json::array({job_id});
  Json rows = co_await db::query(ctx,
                                 "select id, user_id, status, model, cost_credits, provider, provider_job_id, result, "
                                 "error, outputs, created_at, updated_at, finished_at, webhook_token_hash "
                                 "from public.jobs where id = $1::uuid",
                                 std::move(params));
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0];
}

}  // namespace ag::jobs
