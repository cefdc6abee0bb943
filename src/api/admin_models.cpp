// GET /admin/models, PUT /admin/models/:id, DELETE /admin/models/:id: the admin manages the
// models jobs can name without SQL (models/document.hpp has the document; the one-default rule
// is models.sql's). GET /models stays the public list of the enabled ones.
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "http/body.hpp"
#include "models/catalog.hpp"
#include "models/document.hpp"
#include "models/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint64_t kMaxBody = 16 << 10;

Task<std::string> model_id(Ctx& ctx, const Request& request) {
  std::string id(request.param("id"));
  if (!models::is_model_id(id))
    co_await ctx.raise(errors::invalid_request("a model id is 1 to 128 of A-Z a-z 0-9 . _ -, starting alphanumeric"));
  co_return id;
}

Task<> refuse_default_change(Ctx& ctx, const models::Change& change) {
  if (change.outcome == "default_required")
    co_await ctx.raise(errors::conflict("this is the default model: make another model the default first"));
}
}  // namespace

/// GET /admin/models → {ok, models: [every model, enabled or not]}.
Task<Response> list_admin_models(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  Json all = co_await models::all_models(ctx);
  co_return json_response(200, {{"ok", true}, {"models", std::move(all)}});
}

/// PUT /admin/models/:id {document} → 201 (created) or 200 {ok, created, model}.
Task<Response> put_admin_model(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  std::string id = co_await model_id(ctx, request);
  Json document = co_await http::read_json_object(ctx, request, kMaxBody);
  models::Parsed parsed = models::parse_document(id, document);
  if (!parsed.problem.empty()) co_await ctx.raise(errors::invalid_request(parsed.problem));

  models::Change change = co_await models::put_model(ctx, parsed.model);
  models::forget_catalog(ctx);
  co_await refuse_default_change(ctx, change);
  if (change.outcome == "invalid_fallback")
    co_await ctx.raise(errors::invalid_request(
        "fallback_model must be an existing model of the same content_type, and a model falling back to this one "
        "must keep making its content_type"));
  co_return json_response(change.created ? 201 : 200,
                          {{"ok", true}, {"created", change.created}, {"model", std::move(change.model)}});
}

/// DELETE /admin/models/:id → {ok, model} with enabled false; jobs keep naming it.
Task<Response> delete_admin_model(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  std::string id = co_await model_id(ctx, request);
  models::Change change = co_await models::disable_model(ctx, id);
  models::forget_catalog(ctx);
  if (change.outcome == "not_found") co_await ctx.raise(errors::not_found("no such model"));
  co_await refuse_default_change(ctx, change);
  co_return json_response(200, {{"ok", true}, {"model", std::move(change.model)}});
}

}  // namespace ag::api
