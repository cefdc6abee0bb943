#pragma once
// Ctx: everything a handler may touch. Effects, time and randomness all come through
// here, so the same handler runs under the shim and under the scripted test driver.
//
//   auto rows = co_await ctx.perform(effect::sql("select 1", {}));
//   if (!allowed) co_await ctx.raise(errors::forbidden());
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/coro.hpp"
#include "core/errors.hpp"
#include "core/isolate.hpp"
#include "core/json.hpp"
#include "core/task_state.hpp"

namespace ag {

/// Fills a buffer with cryptographically secure random bytes.
using RandomSource = std::function<void(std::uint8_t*, std::size_t)>;

/// The platform's CSPRNG (WASI random_get in wasm, getentropy natively); draws of up to
/// 64 bytes come from a pool refilled 256 bytes at a time.
void system_random(std::uint8_t* out, std::size_t size);

class Ctx {
 public:
  Ctx(const Config& config, Isolate& isolate, TaskState& state, const RandomSource& random, std::int64_t now_ms)
      : config_(config), isolate_(isolate), state_(state), random_(random), now_ms_(now_ms) {}
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;

  const Config& config() const { return config_; }
  /// Per-instance caches shared by all requests (see core/isolate.hpp).
  Isolate& isolate() const { return isolate_; }
  /// Unix milliseconds from the shim's clock, refreshed at every resume.
  std::int64_t now_ms() const { return now_ms_; }
  void set_now_ms(std::int64_t now_ms) { now_ms_ = now_ms; }

  const std::string& request_id() const { return request_id_; }
  void set_request_id(std::string id) { request_id_ = std::move(id); }
  /// The matched route pattern, for logs ("/jobs/:id").
  const std::string& route() const { return route_; }
  void set_route(std::string route) { route_ = std::move(route); }
  /// The authenticated user's id, for logs ("" when anonymous or admin).
  const std::string& user_id() const { return user_id_; }
  void set_user_id(std::string id) { user_id_ = std::move(id); }
  /// Adds `key` to this request's access line. A request logs what it did on that one line
  /// (the Stripe event it applied, why a token was refused) rather than on lines of its own:
  /// one line per request is what gets searched, and each line costs the Worker CPU.
  void add_log_field(std::string key, Json value) { log_fields_[std::move(key)] = std::move(value); }
  /// The fields added so far, handed over once (App::finish builds the line from them).
  Json take_log_fields() { return std::exchange(log_fields_, Json::object()); }

  void random_bytes(std::uint8_t* out, std::size_t size) const { random_(out, size); }
  /// `bytes` random bytes as lowercase hex.
  std::string random_hex(std::size_t bytes) const;
  /// A random (version 4) UUID.
  std::string uuid_v4() const;

  class BatchAwaiter {
   public:
    BatchAwaiter(TaskState& state, std::vector<Json> effects) : state_(state), effects_(std::move(effects)) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(coro::coroutine_handle<> waiter) { state_.suspend(std::move(effects_), waiter, &results_); }
    std::vector<EffectResult> await_resume() { return std::move(results_); }

   private:
    TaskState& state_;
    std::vector<Json> effects_;
    std::vector<EffectResult> results_;
  };

  class SingleAwaiter : public BatchAwaiter {
   public:
    using BatchAwaiter::BatchAwaiter;
    EffectResult await_resume() { return std::move(BatchAwaiter::await_resume().front()); }
  };

  class RaiseAwaiter {
   public:
    RaiseAwaiter(TaskState& state, ApiError error) : state_(state), error_(std::move(error)) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(coro::coroutine_handle<>) { state_.fail(std::move(error_)); }
    // NOTE: never reached: the Runtime destroys a failed task instead of resuming it.
    void await_resume() const noexcept {}

   private:
    TaskState& state_;
    ApiError error_;
  };

  /// Performs one effect and returns its result.
  SingleAwaiter perform(Json effect) { return {state_, std::vector<Json>{std::move(effect)}}; }
  /// Performs several effects concurrently; results come back in the same order.
  BatchAwaiter perform_all(std::vector<Json> effects) { return {state_, std::move(effects)}; }
  /// Ends the request with `error`, like a throw that nothing catches.
  RaiseAwaiter raise(ApiError error) { return {state_, std::move(error)}; }
  /// Runs `effect` after the response, without waiting for it (ctx.waitUntil).
  void wait_until(Json effect) { state_.defer(std::move(effect)); }
  /// Starts `job` as a task of its own once this one has answered (Application::background
  /// runs it): follow-up work that needs results, e.g. calling a user's webhook and
  /// recording the outcome, without making this response wait. Lost if this task fails. The
  /// job carries this task's request id, so its logs line up with the request's.
  void run_after(Json job) {
    job["request_id"] = request_id_;
    state_.spawn(std::move(job));
  }
  /// Starts `job` as a task of its own if this task is cancelled (its client went away), so
  /// what it leaves half done still ends consistently; dropped when the task ends otherwise.
  void run_if_cancelled(Json job) {
    job["request_id"] = request_id_;
    state_.spawn_on_cancel(std::move(job));
  }

 private:
  const Config& config_;
  Isolate& isolate_;
  TaskState& state_;
  const RandomSource& random_;
  std::int64_t now_ms_;
  std::string request_id_;
  std::string route_;
  std::string user_id_;
  Json log_fields_ = Json::object();
};

}  // namespace ag
