#pragma once
// A `stream: true` chat passed on as its provider streams it (jobs/streamed.hpp): each piece of
// the provider's event stream read (providers/openai_stream.hpp) is rewritten as this API's
// chunks (v1/replies.hpp ChatChunks) and written at once. At the provider's [DONE] the job is
// recorded completed (its text kept, its usage priced and charged) before the usage chunk and
// our own [DONE] go out; a stream that breaks off (the provider's error event, a read that
// fails, a body that ends without [DONE], a text longer than a reply read whole may be) fails
// the job, refunded, and ends with an error event.
#include "core/ctx.hpp"
#include "core/task.hpp"
#include "jobs/streamed.hpp"
#include "v1/replies.hpp"

namespace ag::v1 {

/// Writes the chat of `job`, the chunks named as `chunks` says; the usage chunk when the client
/// asked for it (`include_usage`).
Task<void> write_streamed_chat(Ctx& ctx, jobs::Streaming job, ChatChunks chunks, bool include_usage);

}  // namespace ag::v1
