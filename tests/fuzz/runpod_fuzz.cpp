// RunPod's answers (/run, /status, /cancel and its webhook body) and the status mapping.
#include <cstdint>
#include <string>

#include "providers/runpod.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto state = ag::runpod::parse_job_state(body)) {
    if (state->id.empty() && state->status.empty()) return 0;
    ag::runpod::lifecycle_status(state->status);
  }
  ag::runpod::lifecycle_status(body);
  return 0;
}
