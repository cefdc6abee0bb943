#pragma once
// The size of the wasm instance's linear memory (it only ever grows). The admin deep health
// check reports it so that the benchmark can watch it across many requests (bench/memory.mjs);
// a native build has no linear memory.
#include <cstdint>
#include <optional>

namespace ag {

inline std::optional<std::uint64_t> linear_memory_bytes() {
#if defined(__wasm__)
  constexpr std::uint64_t kPageBytes = 65536;
  return static_cast<std::uint64_t>(__builtin_wasm_memory_size(0)) * kPageBytes;
#else
  return std::nullopt;
#endif
}

}  // namespace ag
