#include "jobs/lifecycle.hpp"

#include <algorithm>
#include <array>

namespace ag::jobs {

bool is_job_status(std::string_view status) {
  static constexpr std::array<std::string_view, 9> kAll = {"queued",    "submitted", "running", "completed", "failed",
                                                           "cancelled", "timed_out", "error",   "noop"};
  return std::find(kAll.begin(), kAll.end(), status) != kAll.end();
}

bool is_open(std::string_view status) {
  static constexpr std::array<std::string_view, 3> kOpen = {"queued", "submitted", "running"};
  return std::find(kOpen.begin(), kOpen.end(), status) != kOpen.end();
}

}  // namespace ag::jobs
