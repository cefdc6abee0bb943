#include "v1/chat_stream.hpp"

#include <utility>

#include "core/effects.hpp"
#include "http/event_stream.hpp"
#include "providers/openai.hpp"
#include "providers/openai_stream.hpp"

namespace ag::v1 {

Task<void> write_streamed_chat(Ctx& ctx, jobs::Streaming job, ChatChunks chunks, bool include_usage) {
  openai::ChatStream stream;
  std::string out = chunks.role();
  Json broke_off;  // why the stream ended before [DONE], when it did
  for (;;) {
    EffectResult piece = co_await ctx.perform(effect::body_read(job.body));
    if (piece.failed()) {
      broke_off = {{"stage", "stream"}, {"code", piece.error_code()}};
      break;
    }
    for (const openai::ChatDelta& delta : stream.feed(piece.body)) {
      Json finish_reason = delta.finish_reason ? Json(*delta.finish_reason) : Json(nullptr);
      out += chunks.delta(delta.content, std::move(finish_reason));
    }
    if (!out.empty()) {
      std::string text = std::exchange(out, std::string());
      const bool sent = co_await http::written(ctx, std::move(text));
      if (!sent) {
        co_await jobs::abandon_stream(ctx, job.job_id);
        co_return;
      }
    }
    if (stream.finished() || !stream.error().is_null()) break;
    if (stream.text_size() > openai::kMaxTextReplyBytes) {  // as a reply read whole may not be larger
      broke_off = {{"stage", "stream"}, {"code", "output_too_large"}};
      break;
    }
    if (piece.value.value("done", false)) {
      broke_off = {{"stage", "stream"}, {"code", "stream_ended"}};
      break;
    }
  }
  if (!stream.finished()) {
    if (broke_off.is_null())
      broke_off = {{"stage", "stream"}, {"code", "provider_error"}, {"provider_error", stream.error()}};
    co_await jobs::record_failed(ctx, job.job_id, "stream", std::move(broke_off));
    std::string error = chunks.error("generation_failed",
                                     "the provider's stream broke off: the job failed and its credits were refunded");
    co_await http::written(ctx, std::move(error));
    co_return;
  }
  const Json completion = stream.completion();
  co_await jobs::complete_stream(ctx, job, completion);
  std::string last = include_usage ? chunks.usage(completion.value("usage", Json(nullptr))) : std::string();
  last += ChatChunks::kDone;
  co_await http::written(ctx, std::move(last));
}

}  // namespace ag::v1
