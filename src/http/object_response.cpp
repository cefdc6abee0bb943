#include "http/object_response.hpp"

#include <string>

#include "http/etag.hpp"

namespace ag::http {

Response object_headers(const effect::R2Object& object, int status) {
  Response response;
  response.status = status;
  response.set_header("content-type", object.content_type.empty() ? "application/octet-stream" : object.content_type);
  if (!object.etag.empty()) response.set_header("etag", quoted_etag(object.etag));
  response.set_header("cache-control", "private, max-age=0, must-revalidate");
  response.set_header("accept-ranges", "bytes");
  return response;
}

Response whole_object(const effect::R2Object& object) {
  Response response = object_headers(object, 200);
  if (object.size) response.set_header("content-length", std::to_string(*object.size));
  return response;
}

Response streamed(Response response, const effect::R2Object& object) {
  response.body = R2BodyHandle{object.handle};
  return response;
}

}  // namespace ag::http
