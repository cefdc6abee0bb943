#pragma once
// The answers that carry a stored object (GET and HEAD /assets): its headers from R2's
// metadata, and its body streamed by the shim from the R2 handle, never through the core.
#include "core/http.hpp"
#include "core/r2_reply.hpp"

namespace ag::http {

/// `status` with the object's Content-Type, quoted ETag and caching headers, and no body.
Response object_headers(const effect::R2Object& object, int status);

/// The 200 for the whole object: its headers and, when known, its Content-Length.
Response whole_object(const effect::R2Object& object);

/// `response` with the object's body streamed from its R2 handle.
Response streamed(Response response, const effect::R2Object& object);

}  // namespace ag::http
