#pragma once
// Task<T>: a lazy, move-only coroutine (after cppcoro's task<T>). It starts when awaited,
// and finishing transfers control straight back to the awaiting coroutine. The root task
// of a request is resumed by the Runtime, which also destroys it (and, through the frames
// it owns, every child task) when the request ends, early or not.
#include <cstdlib>
#include <optional>
#include <utility>

#include "core/coro.hpp"

namespace ag {

namespace detail {
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<Promise> h) const noexcept {
    auto next = h.promise().continuation;
    return next ? next : coro::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

struct PromiseBase {
  coro::coroutine_handle<> continuation;
  coro::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  // NOTE: the core is built without exceptions; nothing can arrive here.
  void unhandled_exception() const noexcept { std::abort(); }
};
}  // namespace detail

template <class T = void>
class [[nodiscard]] Task;

namespace detail {
template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};
template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
};
}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = coro::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool await_ready() const noexcept { return false; }
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> awaiting) noexcept {
    handle_.promise().continuation = awaiting;
    return handle_;
  }
  T await_resume() {
    if constexpr (!std::is_void_v<T>) return std::move(*handle_.promise().value);
  }

  /// For the Runtime, which drives root tasks by hand.
  Handle handle() const noexcept { return handle_; }
  bool done() const noexcept { return handle_ && handle_.done(); }

 private:
  void reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(coro::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(coro::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace ag
