#pragma once
// Starting a job, as POST /jobs and the OpenAI-compatible /v1 calls do: priced from its model
// and input (jobs/quote), its asset inputs linked; the credits reserved, the rate limit
// checked and the job recorded in one SQL call (create_job); then handed to its provider
// (jobs/submit). An Idempotency-Key's replay answers what the first request answered.
#include <optional>
#include <string>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/quote.hpp"
#include "jobs/submit.hpp"

namespace ag::jobs {

struct Started {
  std::string job_id;
  Answer answer;        // the POST /jobs answer: the submission's, or the replayed one
  bool replay = false;  // answered from the Idempotency-Key's first request
  std::string public_base_url;
};

/// A job recorded with its credits reserved, not yet handed to a provider; or the replay of an
/// Idempotency-Key's first request (`started.replay`, `started.answer` as it was).
struct Created {
  Started started;        // the job's id and the base URL its callbacks go to
  JobRoute route;         // where it can run (jobs/submit.hpp's candidates)
  Submission submission;  // what submit() hands to the provider
};

/// Records the job `body` asks for and reserves its credits, as start_job does, without
/// submitting it: the caller submits it (a streamed /v1 chat, jobs/streamed.hpp). Raises what
/// start_job raises.
Task<Created> create(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                     const std::optional<std::string>& idempotency_key);

/// Hands the created job to its provider (jobs/submit.hpp); a replay answers as it was.
/// `in_request`: a synchronous provider is called within this request rather than from the Queue.
Task<Started> submit_created(Ctx& ctx, Created created, bool in_request);

/// Starts the job `body` ({"model"?, "prompt"?, "input"?, "webhook_url"?}, its shape checked)
/// asks for: create, then submit_created (a synchronous provider's job on the Queue). Raises
/// what refuses it: 400 (model, input), 402 (credits), 403 (an asset of someone else), 409 /
/// 422 (the Idempotency-Key), 429 (the rate limits).
Task<Started> start_job(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body,
                        const std::optional<std::string>& idempotency_key);

/// The job `body` asks for, priced, its asset inputs linked until the job's deadline; nothing
/// is charged (POST /jobs/estimate). `fresh` reads the models from the database.
Task<Quote> priced(Ctx& ctx, const auth::Caller& caller, const Request& request, const Json& body, bool fresh);

}  // namespace ag::jobs
