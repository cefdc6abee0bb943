#pragma once
// Where a job's webhook may be sent (POST /jobs `webhook_url`).
#include <string_view>

namespace ag::jobs {

/// https, or plain http to this machine (a receiver next to `scripts/dev`; a deployed Worker
/// cannot reach loopback addresses anyway).
bool is_webhook_url(std::string_view text);

}  // namespace ag::jobs
