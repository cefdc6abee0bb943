#pragma once
// Every endpoint handler, one file per resource (health.cpp, assets.cpp, ...).
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::api {

Task<Response> health(Ctx& ctx, const Request& request);
Task<Response> openapi(Ctx& ctx, const Request& request);
Task<Response> client_config(Ctx& ctx, const Request& request);
Task<Response> me(Ctx& ctx, const Request& request);
Task<Response> list_models(Ctx& ctx, const Request& request);
Task<Response> list_admin_models(Ctx& ctx, const Request& request);
Task<Response> put_admin_model(Ctx& ctx, const Request& request);
Task<Response> delete_admin_model(Ctx& ctx, const Request& request);
Task<Response> get_credits(Ctx& ctx, const Request& request);
Task<Response> get_credit_ledger(Ctx& ctx, const Request& request);
Task<Response> admin_credits(Ctx& ctx, const Request& request);
Task<Response> put_asset(Ctx& ctx, const Request& request);
Task<Response> get_asset(Ctx& ctx, const Request& request);
Task<Response> head_asset(Ctx& ctx, const Request& request);
Task<Response> delete_asset(Ctx& ctx, const Request& request);
Task<Response> list_assets(Ctx& ctx, const Request& request);
Task<Response> sign_asset(Ctx& ctx, const Request& request);
Task<Response> webhook_test(Ctx& ctx, const Request& request);
Task<Response> create_job(Ctx& ctx, const Request& request);
Task<Response> estimate_job(Ctx& ctx, const Request& request);
Task<Response> get_job(Ctx& ctx, const Request& request);
Task<Response> list_jobs(Ctx& ctx, const Request& request);
Task<Response> cancel_job(Ctx& ctx, const Request& request);
Task<Response> job_events(Ctx& ctx, const Request& request);
Task<Response> runpod_webhook(Ctx& ctx, const Request& request);
Task<Response> replicate_webhook(Ctx& ctx, const Request& request);
Task<Response> fal_webhook(Ctx& ctx, const Request& request);
Task<Response> webhook_secret(Ctx& ctx, const Request& request);
Task<Response> list_webhook_deliveries(Ctx& ctx, const Request& request);
Task<Response> redeliver_webhook(Ctx& ctx, const Request& request);
Task<Response> billing_catalog(Ctx& ctx, const Request& request);
Task<Response> billing_subscription(Ctx& ctx, const Request& request);
Task<Response> billing_checkout(Ctx& ctx, const Request& request);
Task<Response> billing_portal(Ctx& ctx, const Request& request);
Task<Response> stripe_webhook(Ctx& ctx, const Request& request);
Task<Response> create_key(Ctx& ctx, const Request& request);
Task<Response> list_keys(Ctx& ctx, const Request& request);
Task<Response> revoke_key(Ctx& ctx, const Request& request);
Task<Response> v1_models(Ctx& ctx, const Request& request);
Task<Response> v1_chat_completions(Ctx& ctx, const Request& request);
Task<Response> v1_images(Ctx& ctx, const Request& request);
Task<Response> v1_speech(Ctx& ctx, const Request& request);

}  // namespace ag::api
