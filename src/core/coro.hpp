#pragma once
// One name for the coroutine library on both toolchains: g++ 12 and the wasi libc++
// ship <coroutine>; Emscripten 3.1.6's libc++ only <experimental/coroutine>.
#if __has_include(<coroutine>) && !defined(__EMSCRIPTEN__)
#include <coroutine>
namespace ag::coro {
using std::coroutine_handle;
using std::noop_coroutine;
using std::suspend_always;
using std::suspend_never;
}  // namespace ag::coro
#else
#include <experimental/coroutine>
namespace ag::coro {
using std::experimental::coroutine_handle;
using std::experimental::noop_coroutine;
using std::experimental::suspend_always;
using std::experimental::suspend_never;
}  // namespace ag::coro
#endif
