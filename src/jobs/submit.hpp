#pragma once
// Handing a created job to its provider (or to nobody: the noop) and recording the outcome
// together with the POST /jobs answer, which Idempotency-Key replays then get as it was.
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "providers/provider.hpp"

namespace ag::jobs {

/// The POST /jobs answer (seed 000's shapes): 200 submitted, 202 the noop, 502 refused.
struct Answer {
  int status = 200;
  Json body;
};

/// Sends the job `job_id` of the validated request `request` to `provider` with its
/// `callback_url`; with no provider the job is the noop. A refused submission refunds.
Task<Answer> submit(Ctx& ctx, const providers::Provider* provider, const std::string& job_id, const Json& request,
                    const std::string& callback_url);

}  // namespace ag::jobs
