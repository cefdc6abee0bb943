#pragma once
// The shape of a POST /jobs or POST /jobs/estimate body (API.md "Jobs"): {"model"?, "prompt"?,
// "input"?, "webhook_url"?}. Its input is the model's to check (quote.hpp).
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

/// Raises 400 naming the first field of `body` that is of the wrong kind, and for a
/// webhook_url that is not https or that could not be signed.
Task<> check_job_request(Ctx& ctx, const Json& body);

}  // namespace ag::jobs
