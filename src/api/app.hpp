#pragma once
// The API as one Application: the route table (routes.cpp) behind request ids, CORS,
// preflight, 404/405, security headers and one log line per request.
#include "core/app.hpp"
#include "core/router.hpp"

namespace ag::api {

/// Every route of the API, in match order. GET /openapi.json documents each of them.
Router build_router();

class App final : public Application {
 public:
  App() : router_(build_router()) {}

  Task<Response> handle(Ctx& ctx, Request& request) override;
  Task<Response> scheduled(Ctx& ctx, std::string cron) override;
  Task<Response> background(Ctx& ctx, Json job) override;
  void finish(Ctx& ctx, const Request& request, Response& response, std::int64_t started_ms) override;

  const Router& router() const { return router_; }

 private:
  Router router_;
};

}  // namespace ag::api
