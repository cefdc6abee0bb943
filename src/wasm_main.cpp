// The exported ABI of the wasm module (src/abi/README.md). Everything here is glue:
// bytes in, bytes out, one Entry per instance.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "abi/entry.hpp"
#include "abi/frame.hpp"
#include "api/app.hpp"

#define AG_EXPORT(name) extern "C" __attribute__((export_name(#name), used))

namespace {
ag::api::App& app() {
  static ag::api::App instance;
  return instance;
}
ag::abi::Entry& entry() {
  static ag::abi::Entry instance(app());
  return instance;
}
// The last output stays alive until the next call, as the ABI promises.
std::string& output() {
  static std::string bytes;
  return bytes;
}
std::uint32_t publish(std::string bytes) {
  output() = std::move(bytes);
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(output().data()));
}
std::string_view input(const char* data, std::uint32_t size) { return {data, size}; }
}  // namespace

AG_EXPORT(ag_abi_version) std::uint32_t ag_abi_version() { return ag::abi::kVersion; }
AG_EXPORT(ag_alloc) void* ag_alloc(std::uint32_t size) { return std::malloc(size ? size : 1); }
AG_EXPORT(ag_free) void ag_free(void* pointer) { std::free(pointer); }
AG_EXPORT(ag_init) std::uint32_t ag_init(const char* data, std::uint32_t size) {
  return publish(entry().init(input(data, size)));
}
AG_EXPORT(ag_start) std::uint32_t ag_start(const char* data, std::uint32_t size) {
  return publish(entry().start(input(data, size)));
}
AG_EXPORT(ag_resume) std::uint32_t ag_resume(const char* data, std::uint32_t size) {
  return publish(entry().resume(input(data, size)));
}
AG_EXPORT(ag_cancel) std::uint32_t ag_cancel(std::uint32_t task) { return publish(entry().cancel(task)); }
AG_EXPORT(ag_live_tasks) std::uint32_t ag_live_tasks() { return static_cast<std::uint32_t>(entry().live_tasks()); }

#ifdef __EMSCRIPTEN__
// NOTE: standalone Emscripten imports this hook (env.*) when memory grows; nothing needs
// to hear about it, and defining it keeps the module's imports to WASI alone.
extern "C" void emscripten_notify_memory_growth(std::size_t) {}
#endif
