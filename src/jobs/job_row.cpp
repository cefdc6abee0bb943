#include "jobs/job_row.hpp"

#include "db/row.hpp"

namespace ag::jobs {

namespace {
Json column(const Json& row, const char* name) { return row.contains(name) ? row[name] : Json(nullptr); }
}  // namespace

JobRow JobRow::from(const Json& row) {
  JobRow job;
  job.id = string_field(row, "id").value_or("");
  job.user_id = string_field(row, "user_id");
  job.status = string_field(row, "status").value_or("");
  job.model = string_field(row, "model");
  job.run_model = string_field(row, "run_model");
  job.content_type = string_field(row, "content_type");
  job.cost_credits = db::integer_column(row, "cost_credits").value_or(0);
  job.charged_credits = db::integer_column(row, "charged_credits");
  job.provider = string_field(row, "provider");
  job.provider_job_id = string_field(row, "provider_job_id");
  job.provider_endpoint_id = string_field(row, "provider_endpoint_id");
  job.result = column(row, "result");
  job.error = column(row, "error");
  job.outputs = column(row, "outputs");
  job.created_at = string_field(row, "created_at");
  job.updated_at = string_field(row, "updated_at");
  job.finished_at = string_field(row, "finished_at");
  job.webhook_token_hash = string_field(row, "webhook_token_hash");
  job.on_queue = bool_field(row, "on_queue").value_or(false) || !column(row, "enqueued_at").is_null();
  job.overdue = bool_field(row, "overdue").value_or(false);
  return job;
}

}  // namespace ag::jobs
