#pragma once
// The ABI calls, as plain C++ over bytes: wasm_main.cpp exports them, and the native
// tests call them the same way, so the framing is tested without a wasm engine.
#include <memory>
#include <string>
#include <string_view>

#include "core/runtime.hpp"

namespace ag::abi {

class Entry {
 public:
  /// `app` must outlive the Entry.
  explicit Entry(Application& app, RandomSource random = system_random) : app_(app), random_(std::move(random)) {}

  std::string init(std::string_view frame);
  std::string start(std::string_view frame);
  std::string resume(std::string_view frame);
  /// Ends a live task; its last step (Runtime::cancel).
  std::string cancel(std::int64_t task);
  std::size_t live_tasks() const { return runtime_ ? runtime_->live_tasks() : 0; }

 private:
  Application& app_;
  RandomSource random_;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace ag::abi
