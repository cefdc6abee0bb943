#pragma once
// Every endpoint handler, one file per resource (health.cpp, assets.cpp, ...).
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::api {

Task<Response> health(Ctx& ctx, const Request& request);
Task<Response> openapi(Ctx& ctx, const Request& request);
Task<Response> me(Ctx& ctx, const Request& request);
Task<Response> put_asset(Ctx& ctx, const Request& request);
Task<Response> get_asset(Ctx& ctx, const Request& request);
Task<Response> head_asset(Ctx& ctx, const Request& request);
Task<Response> delete_asset(Ctx& ctx, const Request& request);
Task<Response> list_assets(Ctx& ctx, const Request& request);
Task<Response> sign_asset(Ctx& ctx, const Request& request);
Task<Response> webhook_test(Ctx& ctx, const Request& request);

}  // namespace ag::api
