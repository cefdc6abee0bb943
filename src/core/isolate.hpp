#pragma once
// State that outlives a request: one per wasm instance (a Workers isolate), shared by every
// request it serves. Caches live here (JWKS keys, verified tokens); nothing here may be
// needed for correctness, because an isolate can be discarded at any time.
//
//   auto& keys = ctx.isolate().slot<JwksCache>();   // created empty on first use
#include <cstddef>
#include <map>
#include <memory>

namespace ag {

class Isolate {
 public:
  /// The one `T` of this isolate, value-initialised on first use.
  template <class T>
  T& slot() {
    std::shared_ptr<void>& held = slots_[&tag<T>];
    if (!held) held = std::make_shared<T>();
    return *static_cast<T*>(held.get());
  }

 private:
  // The address of a per-type variable names the type, without needing RTTI.
  template <class T>
  static inline const char tag = 0;
  std::map<const void*, std::shared_ptr<void>> slots_;
};

/// The instance's live tasks, kept by the Runtime (GET /health?deep=1 reports it).
struct TaskCount {
  std::size_t live = 0;
};

}  // namespace ag
