#include "api/handlers.hpp"
#include "api/openapi_document.hpp"

namespace ag::api {

Task<Response> openapi(Ctx&, const Request&) {
  Response response;
  response.headers.emplace_back("content-type", "application/json; charset=utf-8");
  response.headers.emplace_back("cache-control", "public, max-age=300");
  response.body = std::string(openapi_document());
  co_return response;
}

}  // namespace ag::api
