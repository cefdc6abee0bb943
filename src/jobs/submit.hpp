#pragma once
// Handing a created job to its provider (or to nobody: the noop) and recording the outcome
// together with the POST /jobs answer, which Idempotency-Key replays then get as it was.
// A submission refused for infrastructure reasons (network, timeout, 429, 5xx) goes on to the
// model's fallback, under the same reservation; every refused attempt is a job event.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "jobs/job_row.hpp"
#include "jobs/store.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// The POST /jobs answer (seed 000's shapes): 200 submitted, 202 the noop, 502 refused.
struct Answer {
  int status = 200;
  Json body;
};

/// A model the job may run on, in the order they are tried: the caller's, then its fallback.
struct Candidate {
  std::string model;                              // our model id (jobs.run_model)
  std::optional<std::string> endpoint;            // the provider endpoint (jobs.provider_endpoint_id)
  std::unique_ptr<providers::Provider> provider;  // nullptr: not configured
};

/// The candidates of a job's `route`: the caller's model, then its enabled fallback when that
/// one's provider is configured.
std::vector<Candidate> candidates(const Config& config, const JobRoute& route);

/// The job to submit: its id and owner, the validated request, and what its callback URL is
/// made of.
struct Submission {
  std::string job_id;
  std::string owner;  // the user id, or "admin": outputs go under outputs/<owner>/<job>/
  Json request;
  std::string public_base_url;  // the callback is <base>/webhooks/<provider>/<job>?token=<token>
  std::string webhook_token;
  Json charge = Json::object();  // the caller's cost_credits and balance, shown on a running or queued job
  // A synchronous provider is called within this request (a /v1 call, whose client waits)
  // instead of from the Queue.
  bool in_request = false;
};

/// Sends the job to the first candidate that accepts it. When the caller's model has no
/// configured provider the job is the noop; when every candidate refuses, it is refunded. A
/// synchronous provider's job goes on the Queue instead (202, status queued): jobs/queued.cpp
/// submits it there; unless `job.in_request`, when the provider is called here and the job
/// recorded as it ended.
Task<Answer> submit(Ctx& ctx, std::vector<Candidate> candidates, const Submission& job);

/// What trying a job's candidates came to.
struct Tried {
  std::size_t index = 0;                     // the candidate last tried (or to run on the Queue)
  std::optional<providers::JobState> state;  // its answer, when it accepted the job
  bool on_queue = false;                     // a synchronous candidate reached outside the Queue
  Json error;                                // why the last one refused
};

/// Tries the candidates from `first` on, in order, going on to the next only when one is
/// unreachable (each such refusal a job event). Outside the Queue (`in_queue` false) it stops
/// at a synchronous candidate, which only the Queue consumer may call.
Task<Tried> try_candidates(Ctx& ctx, const std::vector<Candidate>& candidates, std::size_t first, const Submission& job,
                           bool in_queue);

/// What the provider receives: the validated input under its names (jobs/quote.hpp), and the
/// model that runs it when the caller named one (or a `fallback` runs it).
Json provider_input(const Json& payload, const std::string& model, bool fallback);

/// A job just submitted for `owner` (a user id, or "admin"), as apply_provider_state needs it
/// to record how a synchronous provider's job ended.
JobRow submitted_row(const std::string& job_id, const std::string& owner);

/// The job's fields once `candidate` accepted it: the provider, endpoint and model that run it.
Json accepted_fields(const Candidate& candidate, const providers::JobState& state);

/// Records the job accepted by `candidate` (submitted, with the provider, endpoint and model
/// that run it) with the 200 answer replays get.
Task<Answer> record_accepted(Ctx& ctx, const Submission& job, const Candidate& candidate,
                             const providers::JobState& state);

/// Records the job that `candidate`, the last one tried, refused (`error` says why): `error`,
/// refunded, with the 502 answer replays get.
Task<Answer> record_refused(Ctx& ctx, const Submission& job, const Candidate& candidate, Json error);

/// Ends the submitted job `job_id` failed, refunded (`error` says why, `source` who saw it),
/// without another attempt.
Task<> record_failed(Ctx& ctx, const std::string& job_id, std::string_view source, Json error);

}  // namespace ag::jobs
