#pragma once
// A completed job's files, copied from what RunPod's worker returned into R2 under
// outputs/<owner>/<job>/, where the owner (or a signed link) can fetch them long after
// RunPod has dropped the result (30 min). URLs are streamed by the shim; base64 media is
// decoded by the shim. Neither passes through the core's memory twice.
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::jobs {

inline constexpr std::size_t kMaxOutputs = 10;

/// A file an output points at: an http(s) URL, or base64 media (a `data:` URI, or a bare
/// string under `image_base64` / `video_base64` / `audio_base64`).
struct OutputSource {
  std::string url;
  std::string base64;
  std::string content_type;  // known for data: URIs only
  std::string extension;     // ".png", ".mp4", ... or ""
};

/// The largest output file kept (OUTPUT_MAX_BYTES).
std::uint64_t output_max_bytes(const Config& config);

/// The largest reply whose files the shim stores (effect::ReplyFiles): OUTPUT_MAX_BYTES, but
/// at most 48 MiB, because the shim holds such a reply whole (a JSON body of base64 images)
/// in an isolate of 128 MB.
std::uint64_t stored_reply_max_bytes(const Config& config);

/// Up to kMaxOutputs files named by `output` in a documented shape, in order: `output` is a
/// file (a URL or a data: URI), an object whose url / image_url / video_url / audio_url /
/// *_base64 fields are files, or a list of either. Nothing else a worker returns is copied.
std::vector<OutputSource> find_output_sources(const Json& output);

/// Copies the sources into R2 (concurrently) as outputs/<owner>/<job>/<n><ext>. Returns
/// one entry per source: {"key","size","content_type"} or {"source","error"}.
Task<Json> copy_outputs(Ctx& ctx, const std::string& owner, const std::string& job_id, const Json& output);

}  // namespace ag::jobs
