#pragma once
// The jobs' SQL functions (migrations/0004_job_functions.sql), one round trip each. Every
// change of status goes through transition_job, whose table of allowed transitions makes
// the webhook, a poll and the cron sweep safe to race; refunds happen inside it.
#include <cstdint>
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

struct NewJob {
  std::optional<std::string> user_id;  // nullopt: an admin job, free and not rate-limited
  std::optional<std::string> model;    // nullopt: the default model
  Json payload;                        // the request as the job records it
  std::uint64_t jobs_per_hour = 10;
  std::uint64_t welcome_credits = 10;
  std::string idempotency_scope;                  // the user id, or "admin"
  std::optional<std::string> idempotency_key;
  std::string request_hash;
  std::uint64_t deadline_s = 7200;
  std::optional<std::string> webhook_token_hash;  // SHA-256 hex of the RunPod callback token
};

/// create_job's one row: `outcome` (created, insufficient_credits, rate_limited,
/// unknown_model, replay, in_progress, idempotency_key_reused) and its columns, plus
/// `endpoint_id`: the RunPod endpoint of the job's model (null = the configured one).
Task<Json> create_job(Ctx& ctx, const NewJob& job);

struct Transition {
  std::string job_id;
  std::string to;
  Json detail = Json::object();  // kept in job_events
  Json fields = nullptr;         // provider, provider_job_id, result, error, outputs
  std::optional<int> response_status;  // the POST /jobs response to store for its key
  Json response_body = nullptr;
};

/// `{applied, status, refunded}`; a transition the lifecycle does not allow is not applied.
/// One that finishes the job also starts the background delivery of its webhook.
Task<Json> transition_job(Ctx& ctx, const Transition& transition);

/// The job row (with webhook_token_hash: never send it to clients as is), or nullopt.
Task<std::optional<Json>> find_job(Ctx& ctx, const std::string& job_id);

}  // namespace ag::jobs
