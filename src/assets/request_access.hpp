#pragma once
// What a request may do with an asset key, decided from its credentials or, for reading, a
// signed link; each answers 401 / 403 itself. The rules they apply: access.hpp,
// signed_url.hpp, content_types.hpp.
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::assets {

/// Public keys need nothing; a private one a valid signed link (expires + sig) or a caller
/// allowed to read it.
Task<> require_read_access(Ctx& ctx, const Request& request, const std::string& key);

/// The caller, when `allowed` lets them at `key` (403 otherwise).
Task<auth::Caller> require_key_access(Ctx& ctx, const Request& request, const std::string& key,
                                      bool (*allowed)(const auth::Caller&, std::string_view));

/// The upload's Content-Type, which a user's upload must have and be allowed (415
/// otherwise); admin uploads default to application/octet-stream.
Task<std::string> upload_content_type(Ctx& ctx, const Request& request, const auth::Caller& caller);

}  // namespace ag::assets
