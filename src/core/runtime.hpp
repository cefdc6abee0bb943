#pragma once
// The live-task table. `start` creates a task for a request (or cron event) and runs it
// until it first suspends; `resume` delivers effect results and runs it again. Each
// returns a step: effects to perform, or the final response (src/abi/README.md).
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

#include "core/app.hpp"
#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"

namespace ag {

class Runtime {
 public:
  Runtime(Application& app, Config config, RandomSource random = system_random);
  ~Runtime();

  /// `message` is a decoded start frame; `blobs` its blob section (a small request body).
  Json start(const Json& message, std::string_view blobs = {});
  /// `message` is a decoded resume frame; `blobs` its blob section.
  Json resume(const Json& message, std::string_view blobs);

  /// Ends task `id` now: its coroutines are destroyed and its pending effects' results will not
  /// be asked for. The shim cancels a streamed body's task when the client goes away. Returns
  /// the task's last step, `done` with the background jobs it asked to run if cancelled
  /// (Ctx::run_if_cancelled), or `{"error": "unknown_task"}`.
  Json cancel(std::int64_t id);

  std::size_t live_tasks() const { return tasks_.size(); }
  const Config& config() const { return config_; }

 private:
  struct Live;
  Json advance(std::int64_t id, Live& live);
  Json finish(std::int64_t id, Live& live, Response response);
  /// The head of a StreamedBody response, with the writer's first effects (or its end).
  Json open_stream(std::int64_t id, Live& live, Response response);
  /// The task's last step: `response` (null for none: `done`), what runs after it; frees the task.
  Json final_step(std::int64_t id, Live& live, Json response);

  Application& app_;
  Config config_;
  Isolate isolate_;
  RandomSource random_;
  std::int64_t next_task_ = 1;
  std::map<std::int64_t, std::unique_ptr<Live>> tasks_;
};

/// The step the shim receives when a frame could not be decoded.
Json bad_frame(std::string_view message);

}  // namespace ag
