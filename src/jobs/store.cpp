#include "jobs/store.hpp"

#include "db/query.hpp"
#include "db/row.hpp"
#include "jobs/lifecycle.hpp"
#include "jobs/webhooks.hpp"

namespace ag::jobs {
namespace {

Json optional_json(const Json& value) { return value.is_null() ? Json(nullptr) : Json(dump(value)); }

/// The cursor's position as the parameters $after_created_at, $after_id of a list's statement.
Json after_created_at(const std::optional<http::CreatedPosition>& after) {
  return after ? Json(after->created_at) : Json(nullptr);
}
Json after_id(const std::optional<http::CreatedPosition>& after) { return after ? Json(after->id) : Json(nullptr); }

/// The rows of one page of a list. A cursor can be well formed yet name an instant that does
/// not exist ("2024-02-31"), which Postgres refuses as a data exception (22xxx): the caller's
/// cursor, not our bug.
Task<Json> page_rows(Ctx& ctx, std::string_view query, Json params, bool has_cursor) {
  db::QueryResult result = co_await db::query_or_error(ctx, query, std::move(params));
  if (!result.error) co_return std::move(result.rows);
  if (has_cursor && result.error->code.rfind("22", 0) == 0)
    co_await ctx.raise(errors::invalid_request("invalid cursor"));
  co_await ctx.raise(db::api_error(ctx, *result.error));
  co_return Json::array();
}

/// Where the page after `rows` starts, when they hold one row more than `limit` (the page): the
/// last listed row's `position` (created_at as Postgres' text) and `id`.
std::optional<http::CreatedPosition> next_position(const Json& rows, std::uint32_t limit) {
  if (limit == 0 || rows.size() <= limit) return std::nullopt;
  const Json& last = rows[limit - 1];
  return http::CreatedPosition{string_field(last, "position").value_or(""), string_field(last, "id").value_or("")};
}

std::vector<JobRow> job_rows(const Json& rows) {
  std::vector<JobRow> jobs;
  for (const Json& row : rows) jobs.push_back(JobRow::from(row));
  return jobs;
}

// What jobs::candidates() reads of a job's model (joined as m) and its enabled fallback (f).
#define AG_ROUTE_COLUMNS                                                                             \
  "m.id as model_id, m.provider as model_provider, m.endpoint_id as model_endpoint_id, "             \
  "coalesce(m.provider_model, m.id) as model_provider_model, m.content_type as model_content_type, " \
  "f.id as fallback_model, f.provider as fallback_provider, f.endpoint_id as fallback_endpoint_id, " \
  "coalesce(f.provider_model, f.id) as fallback_provider_model "
#define AG_FALLBACK_JOIN "left join public.models f on f.id = m.fallback_model and f.enabled"

JobRoute route_of(const Json& row) {
  return {string_field(row, "model_id"),
          string_field(row, "model_provider"),
          string_field(row, "model_endpoint_id"),
          string_field(row, "model_provider_model"),
          string_field(row, "model_content_type"),
          string_field(row, "fallback_model"),
          string_field(row, "fallback_provider"),
          string_field(row, "fallback_endpoint_id"),
          string_field(row, "fallback_provider_model")};
}

}  // namespace

Task<CreatedJob> create_job(Ctx& ctx, const NewJob& job) {
  std::string providers = "{";
  for (const auto& name : job.providers) providers += (providers.size() > 1 ? "," : "") + name;
  providers += "}";
  Json params = Json::array({db::optional_text(job.user_id), job.model, dump(job.payload), job.jobs_per_hour,
                             job.welcome_credits, job.idempotency_scope, db::optional_text(job.idempotency_key),
                             job.request_hash, job.deadline_s, db::optional_text(job.webhook_token_hash), providers,
                             job.cost_credits, job.model_revision, job.text_per_minute});
  Json rows = co_await db::query(
      ctx,
      "select c.*, " AG_ROUTE_COLUMNS
      "from public.create_job($1::uuid, $2::text, $3::jsonb, $4::integer, $5::integer, "
      "$6::text, $7::text, $8::text, $9::integer, $10::text, p_providers => $11::text[], "
      "p_cost => $12::integer, p_model_revision => $13::bigint, p_text_per_minute => $14::integer) c "
      "left join public.models m on m.id = $2::text " AG_FALLBACK_JOIN,
      std::move(params));
  CreatedJob created;
  if (rows.empty()) co_return created;
  const Json& row = rows[0];
  created.outcome = string_field(row, "outcome").value_or("");
  created.job_id = string_field(row, "job_id").value_or("");
  created.cost_credits = db::integer_column(row, "cost_credits").value_or(0);
  created.balance = db::integer_column(row, "balance");
  created.required = db::integer_column(row, "required").value_or(0);
  created.retry_after_s = db::integer_column(row, "retry_after_s").value_or(60);
  created.response_status = static_cast<int>(db::integer_column(row, "response_status").value_or(200));
  created.response_body = row.value("response_body", Json(nullptr));
  created.route = route_of(row);
  co_return created;
}

Task<std::optional<ClaimedJob>> claim_queued_job(Ctx& ctx, const std::string& job_id, const std::string& token_hash) {
  Json params = Json::array({job_id, token_hash});
  Json rows = co_await db::query(ctx,
                                 "select j.id, j.user_id, j.payload, " AG_ROUTE_COLUMNS
                                 "from public.claim_queued_job($1::uuid, $2::text) c "
                                 "join public.jobs j on c.claimed and j.id = $1::uuid "
                                 "left join public.models m on m.id = j.model " AG_FALLBACK_JOIN,
                                 std::move(params));
  if (rows.empty()) co_return std::nullopt;
  ClaimedJob claimed;
  claimed.id = string_field(rows[0], "id").value_or("");
  claimed.user_id = string_field(rows[0], "user_id");
  claimed.payload = rows[0].value("payload", Json::object());
  claimed.route = route_of(rows[0]);
  co_return claimed;
}

Task<bool> retry_job(Ctx& ctx, const std::string& job_id, const std::string& provider_job_id, const Json& detail) {
  Json params = Json::array({job_id, provider_job_id, dump(detail)});
  Json rows =
      co_await db::query(ctx, "select public.retry_job($1::uuid, $2::text, $3::jsonb) as retried", std::move(params));
  co_return !rows.empty() && rows[0].value("retried", false);
}

Task<bool> enqueued(Ctx& ctx, const std::string& job_id, int response_status, const Json& response_body) {
  Json params = Json::array({job_id, response_status, dump(response_body)});
  Json rows = co_await db::query(ctx, "select public.enqueue_job($1::uuid, $2::integer, $3::jsonb) as queued",
                                 std::move(params));
  co_return !rows.empty() && rows[0].value("queued", false);
}

Task<TransitionOutcome> transition_job(Ctx& ctx, const Transition& transition) {
  Json status = transition.response_status ? Json(*transition.response_status) : Json(nullptr);
  Json charged = transition.charged_credits ? Json(*transition.charged_credits) : Json(nullptr);
  Json params =
      Json::array({transition.job_id, transition.to, dump(transition.detail), optional_json(transition.fields), status,
                   optional_json(transition.response_body), std::move(charged)});
  Json rows = co_await db::query(
      ctx,
      "select applied, status, refunded, charged_credits from public.transition_job($1::uuid, $2::text, "
      "$3::jsonb, $4::jsonb, $5::integer, $6::jsonb, $7::bigint)",
      std::move(params));
  TransitionOutcome outcome;
  if (rows.empty()) co_return outcome;
  outcome.applied = bool_field(rows[0], "applied").value_or(false);
  outcome.status = string_field(rows[0], "status").value_or("");
  outcome.refunded = db::integer_column(rows[0], "refunded").value_or(0);
  outcome.charged_credits = db::integer_column(rows[0], "charged_credits");
  // The job's webhook (if it asked for one) was queued by that same transaction; its message
  // goes onto the Queue without holding up whoever finished the job (if it is lost, the cron
  // sweep sends the delivery, which is due).
  if (outcome.applied && !is_open(outcome.status))
    ctx.wait_until(deliver_webhooks_message(transition.job_id, ctx.request_id()));
  co_return outcome;
}

Task<> record_attempt(Ctx& ctx, const std::string& job_id, const Json& detail) {
  Json params = Json::array({job_id, dump(detail)});
  co_await db::query(ctx, "select public.record_job_attempt($1::uuid, $2::jsonb)", std::move(params));
}

Task<std::optional<JobRow>> find_job(Ctx& ctx, const std::string& job_id) {
  Json params = Json::array({job_id});
  Json rows = co_await db::query(
      ctx,
      "select id, user_id, status, model, run_model, content_type, cost_credits, "
      "public.job_charged_credits(id, status) as charged_credits, provider, provider_job_id, result, error, outputs, "
      "created_at, updated_at, finished_at, webhook_token_hash, provider_endpoint_id, enqueued_at "
      "from public.jobs where id = $1::uuid",
      std::move(params));
  if (rows.empty()) co_return std::nullopt;
  co_return JobRow::from(rows[0]);
}

Task<std::optional<JobTerms>> job_terms(Ctx& ctx, const std::string& job_id) {
  Json params = Json::array({job_id});
  Json rows = co_await db::query(
      ctx, "select payload->'terms' as terms, payload->'input' as input from public.jobs where id = $1::uuid",
      std::move(params));
  if (rows.empty()) co_return std::nullopt;
  JobTerms priced;
  priced.terms = rows[0].value("terms", Json(nullptr));
  priced.input = rows[0].value("input", Json(nullptr));
  co_return priced;
}

Task<> update_job_fields(Ctx& ctx, const std::string& job_id, const Json& fields) {
  Json params = Json::array({job_id, dump(fields)});
  co_await db::query(ctx, "select updated, status from public.update_job_fields($1::uuid, $2::jsonb)",
                     std::move(params));
}

Task<JobPage> list_jobs(Ctx& ctx, const JobListing& listing) {
  // One statement whatever the filters: null parameters switch them off. No `result`: a page
  // would carry up to 100 provider replies of up to 1 MiB each; GET /jobs/:id shows it.
  constexpr std::string_view kList =
      "select id, user_id, status, model, run_model, content_type, cost_credits, "
      "public.job_charged_credits(id, status) as charged_credits, provider, provider_job_id, error, outputs, "
      "created_at, updated_at, finished_at, created_at::text as position from public.jobs "
      "where ($1::uuid is null or user_id = $1::uuid) and ($2::text is null or status = $2::text) "
      "and ($3::timestamptz is null or (created_at, id) < ($3::timestamptz, $4::uuid)) "
      "order by created_at desc, id desc limit $5::integer";
  // One row more than asked says whether there is a next page.
  Json params = Json::array({db::optional_text(listing.owner), db::optional_text(listing.status),
                             after_created_at(listing.after), after_id(listing.after), listing.limit + 1});
  Json rows = co_await page_rows(ctx, kList, std::move(params), listing.after.has_value());
  JobPage page;
  for (std::size_t i = 0; i < rows.size() && i < listing.limit; ++i) page.jobs.push_back(JobRow::from(rows[i]));
  page.next = next_position(rows, listing.limit);
  co_return page;
}

// The sweep's status lists are spelled exactly as the partial indexes of migrations/0002.
Task<std::vector<JobRow>> jobs_past_deadline(Ctx& ctx, int limit) {
  constexpr std::string_view kPastDeadline =
      "select id, user_id, status, provider, provider_job_id, provider_endpoint_id, "
      "deadline_at < now() - interval '1 hour' as overdue from public.jobs "
      "where status in ('queued','submitted','running') and deadline_at < now() "
      "order by deadline_at limit $1::integer";
  Json params = Json::array({limit});
  Json rows = co_await db::query(ctx, kPastDeadline, std::move(params));
  co_return job_rows(rows);
}

Task<std::vector<JobRow>> stale_jobs(Ctx& ctx, std::uint64_t grace_s, int limit) {
  constexpr std::string_view kStale =
      "select id, user_id, status, provider, provider_job_id, provider_endpoint_id, "
      "enqueued_at is not null as on_queue from public.jobs "
      "where status in ('queued','submitted','running') and updated_at < now() - $1::interval "
      "order by updated_at limit $2::integer";
  Json params = Json::array({std::to_string(grace_s) + " seconds", limit});
  Json rows = co_await db::query(ctx, kStale, std::move(params));
  co_return job_rows(rows);
}

Task<std::int64_t> prune_idempotency_keys(Ctx& ctx) {
  Json rows = co_await db::query(ctx, "select public.prune_idempotency_keys('24 hours'::interval) as deleted");
  co_return db::first_integer(rows, "deleted");
}

Task<std::vector<ExpiredOutputs>> jobs_with_expired_outputs(Ctx& ctx, std::uint64_t days, int limit) {
  Json params = Json::array({days, limit});
  Json rows = co_await db::query(ctx, "select id, keys from public.jobs_with_expired_outputs($1::integer, $2::integer)",
                                 std::move(params));
  std::vector<ExpiredOutputs> due;
  for (const Json& row : rows) {
    ExpiredOutputs job;
    job.job_id = string_field(row, "id").value_or("");
    for (const Json& key : row.value("keys", Json::array()))
      if (key.is_string()) job.keys.push_back(key.get<std::string>());
    due.push_back(std::move(job));
  }
  co_return due;
}

Task<std::int64_t> expire_job_outputs(Ctx& ctx, const std::vector<std::string>& ids) {
  Json params = Json::array({dump(Json(ids))});
  Json rows = co_await db::query(ctx, "select public.expire_job_outputs($1::jsonb) as expired", std::move(params));
  co_return db::first_integer(rows, "expired");
}

Task<std::int64_t> latest_job_event(Ctx& ctx, const std::string& job_id) {
  Json params = Json::array({job_id});
  Json rows = co_await db::query(
      ctx, "select coalesce(max(id), 0) as id from public.job_events where job_id = $1::uuid", std::move(params));
  co_return db::first_integer(rows, "id");
}

Task<std::int64_t> prune_job_events(Ctx& ctx, std::string_view age, int limit) {
  Json params = Json::array({std::string(age), limit});
  Json rows = co_await db::query(ctx, "select public.prune_job_events($1::interval, $2::integer) as deleted",
                                 std::move(params));
  co_return db::first_integer(rows, "deleted");
}

Task<std::vector<ClaimedDelivery>> claim_job_webhooks(Ctx& ctx, const std::optional<std::string>& job_id, int limit) {
  Json params = Json::array({db::optional_text(job_id), limit});
  Json rows =
      co_await db::query(ctx, "select * from public.claim_job_webhooks($1::uuid, $2::integer)", std::move(params));
  std::vector<ClaimedDelivery> claimed;
  for (const Json& row : rows) {
    claimed.push_back({JobRow::from(row), string_field(row, "delivery_id").value_or(""),
                       string_field(row, "url").value_or(""), string_field(row, "event_type").value_or("job.finished"),
                       static_cast<int>(int_field(row, "attempt").value_or(0))});
  }
  co_return claimed;
}

Task<RecordedAttempt> record_job_webhook(Ctx& ctx, const WebhookAttempt& attempt) {
  Json params = Json::array({attempt.delivery_id, attempt.http_status, attempt.error, attempt.retry_after,
                             attempt.latency_ms, attempt.attempt});
  Json rows = co_await db::query(ctx,
                                 "select delivered, retry_in_s from public.record_job_webhook($1::uuid, $2::integer, "
                                 "$3::text, $4::integer, $5::integer, $6::integer)",
                                 std::move(params));
  RecordedAttempt recorded;
  if (rows.empty()) co_return recorded;
  recorded.delivered = rows[0].value("delivered", false);
  recorded.retry_in_s = db::integer_column(rows[0], "retry_in_s");
  co_return recorded;
}

Task<DeliveryPage> list_job_webhook_deliveries(Ctx& ctx, const DeliveryListing& listing) {
  // One row more than asked says whether there is a next page (one delivery by its id has none).
  const std::uint32_t rows_asked = listing.delivery_id ? listing.limit : listing.limit + 1;
  Json params = Json::array({db::optional_text(listing.owner), db::optional_text(listing.delivery_id),
                             after_created_at(listing.after), after_id(listing.after), rows_asked});
  Json rows = co_await page_rows(
      ctx,
      "select * from public.list_job_webhook_deliveries($1::uuid, $2::uuid, $3::timestamptz, $4::uuid, $5::integer)",
      std::move(params), listing.after.has_value());
  DeliveryPage page;
  for (std::size_t i = 0; i < rows.size() && i < listing.limit; ++i) {
    const Json& row = rows[i];
    DeliveryRow delivery;
    delivery.id = string_field(row, "id").value_or("");
    delivery.job_id = string_field(row, "job_id").value_or("");
    delivery.event_type = string_field(row, "event_type").value_or("");
    delivery.url = string_field(row, "url").value_or("");
    delivery.attempts = db::integer_column(row, "attempts").value_or(0);
    delivery.next_attempt_at = string_field(row, "next_attempt_at");
    delivery.delivered_at = string_field(row, "delivered_at");
    delivery.created_at = string_field(row, "created_at");
    if (row.contains("attempt_log") && row["attempt_log"].is_array()) delivery.attempt_log = row["attempt_log"];
    page.deliveries.push_back(std::move(delivery));
  }
  page.next = next_position(rows, listing.limit);
  co_return page;
}

Task<std::optional<std::string>> redeliver_job_webhook(Ctx& ctx, const std::optional<std::string>& owner,
                                                       const std::string& delivery_id) {
  Json params = Json::array({db::optional_text(owner), delivery_id});
  Json rows =
      co_await db::query(ctx, "select job_id from public.redeliver_job_webhook($1::uuid, $2::uuid)", std::move(params));
  if (rows.empty()) co_return std::nullopt;
  co_return string_field(rows[0], "job_id");
}

}  // namespace ag::jobs
