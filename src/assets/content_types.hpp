#pragma once
// Which media types a user may upload (UPLOAD_CONTENT_TYPES). Uploads are served back from
// this API's origin with the type they were stored with, so types a browser would run as a
// page or a script (text/html, image/svg+xml, application/javascript) are not allowed by
// default; admin uploads are not limited.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace ag::assets {

/// UPLOAD_CONTENT_TYPES: exact types and `type/*` wildcards (`*/*`: any), lower case. Unset or empty:
/// images (png, jpeg, webp, gif, avif), video/*, audio/*, text/plain, text/csv,
/// text/markdown, application/json and application/pdf.
std::vector<std::string> allowed_upload_types(const Config& config);

/// The media type of a Content-Type value ("Image/PNG; q=1" → "image/png"); nullopt unless
/// it is a well-formed type/subtype.
std::optional<std::string> media_type(std::string_view content_type);

/// True when `type` (a media_type) is one of `allowed` or under one of its wildcards.
bool upload_type_allowed(const std::vector<std::string>& allowed, std::string_view type);

}  // namespace ag::assets
