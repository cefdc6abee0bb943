#pragma once
// Every statement about jobs (their SQL functions are in migrations/), one round trip each.
// Every change of status goes through transition_job, whose table of allowed transitions
// makes the webhook, a poll and the cron sweep safe to race; refunds happen inside it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "http/created_cursor.hpp"
#include "jobs/job_row.hpp"

namespace ag::jobs {

struct NewJob {
  std::optional<std::string> user_id;  // nullopt: an admin job, free and not rate-limited
  std::string model;                   // the priced model (jobs/quote.hpp)
  std::int64_t cost_credits = 0;       // its price for this job, reserved from the user
  std::int64_t model_revision = 0;     // the model revision the price was computed from
  Json payload;                        // the request as the job records it
  std::uint64_t jobs_per_hour = 10;    // jobs other than text, per rolling hour (0: no limit)
  std::uint64_t text_per_minute = 60;  // text jobs, per rolling minute (0: no limit)
  std::uint64_t welcome_credits = 10;
  std::string idempotency_scope;  // the user id, or "admin"
  std::optional<std::string> idempotency_key;
  std::string request_hash;
  std::uint64_t deadline_s = 7200;
  std::optional<std::string> webhook_token_hash;  // SHA-256 hex of the provider callback's token
  std::vector<std::string> providers;             // those that can take a job now (models of others are refused)
};

/// Where a job can run: its model as its provider knows it, and its enabled fallback model, if
/// any (jobs::candidates() makes the providers of both).
struct JobRoute {
  std::optional<std::string> model_id;
  std::optional<std::string> provider;        // nullopt: the default provider
  std::optional<std::string> endpoint_id;     // the model's endpoint; nullopt: the configured one
  std::optional<std::string> provider_model;  // its name at the provider
  std::optional<std::string> content_type;    // what its outputs are
  std::optional<std::string> fallback_model;
  std::optional<std::string> fallback_provider;
  std::optional<std::string> fallback_endpoint_id;
  std::optional<std::string> fallback_provider_model;
};

/// What create_job did: `outcome` is created, replay, or why the job was refused
/// (insufficient_credits, rate_limited, unknown_model, model_unavailable, model_changed,
/// in_progress, idempotency_key_reused).
struct CreatedJob {
  std::string outcome;
  std::string job_id;
  std::int64_t cost_credits = 0;
  std::optional<std::int64_t> balance;  // after the reservation (or what fell short)
  std::int64_t required = 0;            // insufficient_credits: what the job costs
  std::int64_t retry_after_s = 60;      // rate_limited: when to try again
  int response_status = 200;            // replay: the first request's answer
  Json response_body = nullptr;
  JobRoute route;
};
Task<CreatedJob> create_job(Ctx& ctx, const NewJob& job);

/// The Queue consumer's claim of a queued job (queued → submitted, with a fresh callback token
/// hash).
struct ClaimedJob {
  std::string id;
  std::optional<std::string> user_id;
  Json payload;
  JobRoute route;
};
/// nullopt when the job is no longer queued (claimed before, cancelled, timed out).
Task<std::optional<ClaimedJob>> claim_queued_job(Ctx& ctx, const std::string& job_id, const std::string& token_hash);

/// retry_job: back to queued for another attempt when the job still runs provider job
/// `provider_job_id` and its model allows one more; false otherwise.
Task<bool> retry_job(Ctx& ctx, const std::string& job_id, const std::string& provider_job_id, const Json& detail);

/// Marks a queued job as on the Queue (the sweep leaves it to the consumer) and stores the
/// POST /jobs answer for Idempotency-Key replays; false when the job is no longer queued.
Task<bool> enqueued(Ctx& ctx, const std::string& job_id, int response_status, const Json& response_body);

struct Transition {
  std::string job_id;
  std::string to;
  Json detail = Json::object();        // kept in job_events
  Json fields = nullptr;               // provider, provider_job_id, result, error, outputs
  std::optional<int> response_status;  // the POST /jobs response to store for its key
  Json response_body = nullptr;
  // A usage-priced job's price by what its provider reported (jobs/settlement.hpp): completing
  // it gives back the rest of its reservation.
  std::optional<std::int64_t> charged_credits;
};

/// What transition_job did. A transition the lifecycle does not allow is not applied, and
/// `status` is then the job's status as it stands.
struct TransitionOutcome {
  bool applied = false;
  std::string status;
  std::int64_t refunded = 0;                    // given back now, by a refund or a settlement
  std::optional<std::int64_t> charged_credits;  // what the job cost once ended; nullopt while open
};

/// Applies one change of status; one that finishes the job also starts the background delivery
/// of its webhook.
Task<TransitionOutcome> transition_job(Ctx& ctx, const Transition& transition);

/// Keeps `detail` as a job event that changes no status (a refused submission attempt).
Task<> record_attempt(Ctx& ctx, const std::string& job_id, const Json& detail);

/// The job (with webhook_token_hash: never send it to clients as is), or nullopt.
Task<std::optional<JobRow>> find_job(Ctx& ctx, const std::string& job_id);

/// The id of the job's latest job_event (its last status change; 0 once retention pruned them).
Task<std::int64_t> latest_job_event(Ctx& ctx, const std::string& job_id);

/// What a usage-priced job was priced by, from its payload (jobs/quote.hpp).
struct JobTerms {
  Json terms = nullptr;  // null for a job priced by its inputs alone
  Json input = nullptr;
};
/// nullopt when there is no such job.
Task<std::optional<JobTerms>> job_terms(Ctx& ctx, const std::string& job_id);

/// Merges `fields` (outputs, a poll's latest `result`) into the job without a transition; it
/// also moves updated_at, so the sweep polls other jobs first.
Task<> update_job_fields(Ctx& ctx, const std::string& job_id, const Json& fields);

/// Which jobs a page of GET /jobs lists: null fields switch a filter off.
struct JobListing {
  std::optional<std::string> owner;  // a user's jobs; nullopt: everyone's (admin)
  std::optional<std::string> status;
  std::optional<http::CreatedPosition> after;  // the cursor's position
  std::uint32_t limit = 20;
};
/// One page of jobs, newest first (without `result`), and where the next page starts.
struct JobPage {
  std::vector<JobRow> jobs;
  std::optional<http::CreatedPosition> next;  // nullopt on the last page
};
/// Up to `limit` jobs. A cursor whose instant does not exist ("2024-02-31"), which Postgres
/// refuses as a data exception, is a 400 invalid_request.
Task<JobPage> list_jobs(Ctx& ctx, const JobListing& listing);

// --- the cron sweep's statements ---

/// Open jobs past their deadline, the most overdue first, `overdue` set when more than an hour
/// past it (id, owner, status and provider fields only).
Task<std::vector<JobRow>> jobs_past_deadline(Ctx& ctx, int limit);
/// Open jobs not updated for `grace_s` seconds, the least recently updated first (the same
/// fields, and `on_queue`).
Task<std::vector<JobRow>> stale_jobs(Ctx& ctx, std::uint64_t grace_s, int limit);
/// Deletes the stored POST /jobs answers of Idempotency-Keys older than a day; how many.
Task<std::int64_t> prune_idempotency_keys(Ctx& ctx);

/// A job whose files are due for deletion.
struct ExpiredOutputs {
  std::string job_id;
  std::vector<std::string> keys;  // their R2 keys
};
/// Jobs that finished more than `days` ago whose files are due for deletion.
Task<std::vector<ExpiredOutputs>> jobs_with_expired_outputs(Ctx& ctx, std::uint64_t days, int limit);
/// Marks the outputs of the jobs `ids` deleted; how many jobs.
Task<std::int64_t> expire_job_outputs(Ctx& ctx, const std::vector<std::string>& ids);
/// Deletes up to `limit` job events older than `age` (an SQL interval); how many.
Task<std::int64_t> prune_job_events(Ctx& ctx, std::string_view age, int limit);

// --- the job webhooks' delivery queue ---

/// A due delivery of a finished job's webhook, claimed for one attempt.
struct ClaimedDelivery {
  JobRow job;
  std::string delivery_id;
  std::string url;
  std::string event_type;
  int attempt = 0;  // this one's number (1 for the first)
};
/// Claims up to `limit` due deliveries (of `job_id` only, when given).
Task<std::vector<ClaimedDelivery>> claim_job_webhooks(Ctx& ctx, const std::optional<std::string>& job_id, int limit);
/// One attempt's outcome, as record_job_webhook keeps it.
struct WebhookAttempt {
  std::string delivery_id;
  int attempt = 0;      // as claimed (1 for the first)
  int http_status = 0;  // 0 when no answer came back (`error` says why)
  std::string error;
  Json retry_after = nullptr;  // the receiver's Retry-After in seconds, or null
  std::int64_t latency_ms = 0;
};
struct RecordedAttempt {
  bool delivered = false;
  std::optional<std::int64_t> retry_in_s;  // when the retry it scheduled is due; nullopt: none
};
/// Records one attempt and schedules the next (migrations/functions/job_webhooks.sql).
Task<RecordedAttempt> record_job_webhook(Ctx& ctx, const WebhookAttempt& attempt);

struct DeliveryListing {
  std::optional<std::string> owner;            // a user's jobs; nullopt: the admin's own jobs
  std::optional<std::string> delivery_id;      // one delivery only
  std::optional<http::CreatedPosition> after;  // the cursor's position
  std::uint32_t limit = 20;
};
/// One delivery of a job's webhook, as its owner may list it.
struct DeliveryRow {
  std::string id;  // the webhook-id header of its requests
  std::string job_id;
  std::string event_type;
  std::string url;
  std::int64_t attempts = 0;
  std::optional<std::string> next_attempt_at;  // set while an attempt is due
  std::optional<std::string> delivered_at;
  std::optional<std::string> created_at;
  Json attempt_log = Json::array();  // its attempts, oldest first
};
/// One page of deliveries, newest first, and where the next page starts.
struct DeliveryPage {
  std::vector<DeliveryRow> deliveries;
  std::optional<http::CreatedPosition> next;  // nullopt on the last page
};
/// Up to `limit` deliveries; a cursor as list_jobs takes it.
Task<DeliveryPage> list_job_webhook_deliveries(Ctx& ctx, const DeliveryListing& listing);
/// Makes the owner's delivery due now (re-arming a delivered or given-up one); its job id, or
/// nullopt for an unknown delivery or another owner's.
Task<std::optional<std::string>> redeliver_job_webhook(Ctx& ctx, const std::optional<std::string>& owner,
                                                       const std::string& delivery_id);

}  // namespace ag::jobs
