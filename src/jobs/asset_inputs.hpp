#pragma once
// Assets as job inputs (issue 23): an input of `"format": "asset"` names a key of /assets; the
// job's provider receives a signed link to it instead, valid until the job's deadline (a queued
// job may start late), never the key. The job keeps the key in its recorded input.
#include <cstdint>
#include <string>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"
#include "jobs/quote.hpp"

namespace ag::jobs {

/// Replaces each asset key of `quote.provider_input` with a link under `base_url` expiring at
/// `expires_s`. Raises 403 for a key `caller` may not read (another user's), 400 for a key
/// that holds no file (invalid_input) and when asset links cannot be signed (no
/// ASSET_SIGNING_SECRET or APP_ADMIN_TOKEN).
Task<> link_assets(Ctx& ctx, const auth::Caller& caller, const std::string& base_url, std::int64_t expires_s,
                   Quote& quote);

}  // namespace ag::jobs
