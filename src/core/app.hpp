#pragma once
// What the Runtime runs: an application answers requests and cron events. The API's
// App (src/api/app.hpp) implements it; unit tests may implement small ones.
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag {

class Application {
 public:
  virtual ~Application() = default;
  /// Answers a request; may `raise` instead of returning.
  virtual Task<Response> handle(Ctx& ctx, Request& request) = 0;
  /// Runs a cron trigger.
  virtual Task<Response> scheduled(Ctx& ctx, std::string cron) = 0;
  /// Runs a job handed over by Ctx::run_after; its response only goes to the logs.
  virtual Task<Response> background(Ctx& ctx, Json job) = 0;
  /// Last touches on every response, errors included (request id, CORS, logs).
  virtual void finish(Ctx& ctx, const Request& request, Response& response, std::int64_t started_ms) = 0;
};

}  // namespace ag
