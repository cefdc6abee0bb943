#pragma once
// A /v1 call is a job of the caller's, started as POST /jobs starts one (credits, ledger,
// Idempotency-Key, GET /jobs all apply), a synchronous provider called within the request
// rather than from the Queue, and waited for within the request, at most
// V1_WAIT_SECONDS (default 300: below the OpenAI clients' own 10-minute timeout, so a slow job
// is answered, not retried into a second one).
#include <string>
#include <vector>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "jobs/job_row.hpp"
#include "core/task.hpp"
#include "v1/requests.hpp"

namespace ag::v1 {

/// The finished, completed job `call` asks for, as its row. Raises 400 for a refused
/// request, what POST /jobs raises, 504 (with its job_id) when the job runs longer than
/// V1_WAIT_SECONDS, 502 (job_id) when it failed, refunded.
Task<jobs::JobRow> completed_job(Ctx& ctx, const Request& request, const auth::User& user, const JobBody& call);

/// The answer to a chat `call` with `stream: true`: when the model's provider streams, an event
/// stream of OpenAI's chunks written as the provider makes them (v1/chat_stream.hpp); otherwise
/// the completed job's text in one piece (chat_completion_stream). Raises what completed_job
/// raises until the stream opens.
Task<Response> streamed_chat(Ctx& ctx, const Request& request, const auth::User& user, const JobBody& call,
                             bool include_usage);

/// The job's outputs opened for the response, in order: each `r2.get` result ({handle,
/// content_type, size, ...}). Their bytes go from R2 to the client through the shim, never
/// through the core.
Task<std::vector<Json>> held_outputs(Ctx& ctx, const jobs::JobRow& job);

/// The text of the job's first output (a chat reply); raises 502 when it has none.
Task<std::string> output_text(Ctx& ctx, const jobs::JobRow& job);

}  // namespace ag::v1
