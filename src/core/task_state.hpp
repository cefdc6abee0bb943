#pragma once
// What one live task is waiting for. Effect awaiters park the awaiting coroutine here
// with the effects it asked for; the Runtime hands the effects to the shim and, on
// resume, delivers the results (matched by id) and wakes the coroutine.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/coro.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"

namespace ag {

/// One effect's outcome: the result object, plus the bytes of its `body` blob if any.
struct EffectResult {
  Json value = Json::object();
  std::string body;

  bool failed() const { return value.is_object() && value.contains("error"); }
  /// The error code (SQLSTATE, `timeout`, `unavailable`, ...), empty when it succeeded.
  std::string error_code() const;
  std::string error_message() const;

  // A fetch effect's reply (src/abi/README.md, "fetch"):
  /// The HTTP status; 0 when no response came (the error says why).
  int http_status() const;
  /// A response header (names are lower-case), when present.
  std::optional<std::string> http_header(std::string_view name) const;
};

class TaskState {
 public:
  /// Parks `waiter` until every effect in `effects` has a result, written to `*results`.
  void suspend(std::vector<Json> effects, coro::coroutine_handle<> waiter, std::vector<EffectResult>* results);
  /// Queues a fire-and-forget effect; it leaves with the next step, whatever its kind.
  void defer(Json effect);
  /// Queues a background task (see Ctx::run_after); they leave with the final step.
  void spawn(Json job) { background_.push_back(std::move(job)); }
  /// Queues a background task for the task's cancellation (see Ctx::run_if_cancelled).
  void spawn_on_cancel(Json job) { on_cancel_.push_back(std::move(job)); }
  /// Records the error that ends the task; the awaiting coroutine is never resumed.
  void fail(ApiError error) { failure_ = std::move(error); }

  /// Effects for the next step (each with its id), including deferred ones.
  std::vector<Json> take_effects();
  std::vector<Json> take_deferred();
  std::vector<Json> take_background() { return std::exchange(background_, {}); }
  std::vector<Json> take_on_cancel() { return std::exchange(on_cancel_, {}); }
  const std::optional<ApiError>& failure() const { return failure_; }
  bool waiting() const { return static_cast<bool>(waiter_); }

  /// Stores results by id and returns the coroutine to resume, or nullptr when the
  /// results do not answer exactly the effects that are pending.
  coro::coroutine_handle<> deliver(std::vector<std::pair<std::int64_t, EffectResult>> results);

 private:
  std::int64_t next_id_ = 1;
  std::vector<Json> outbox_;
  std::vector<Json> deferred_;
  std::vector<Json> background_;
  std::vector<Json> on_cancel_;
  std::vector<std::int64_t> pending_ids_;
  std::vector<EffectResult>* destination_ = nullptr;
  coro::coroutine_handle<> waiter_;
  std::optional<ApiError> failure_;
};

}  // namespace ag
