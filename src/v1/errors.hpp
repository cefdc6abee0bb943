#pragma once
// The /v1 calls answer errors as OpenAI does, so its client libraries raise their own error
// types: {"error":{"message","type","param","code"}}. Insufficient credits is an exhausted
// quota (429 insufficient_quota). `x-should-retry: false` tells the clients, which retry 409,
// 429 and 5xx by themselves, not to repeat a call a retry cannot mend or that may already
// have started a job; only refusals that changed nothing (a rate limit, a busy
// Idempotency-Key, the database or the provider unreachable) leave them to retry.
#include "core/http.hpp"

namespace ag::v1 {

/// Rewrites an error `response` of this API ({"ok":false,"error","message",...}) in OpenAI's
/// shape; any other response is left as it is.
void as_openai_error(Response& response);

}  // namespace ag::v1
