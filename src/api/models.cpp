#include "api/handlers.hpp"
#include "models/store.hpp"

namespace ag::api {

/// GET /models: what a job can name and what it costs; public.
Task<Response> list_models(Ctx& ctx, const Request&) {
  Json models = co_await models::enabled_models(ctx);
  co_return json_response(200, {{"ok", true}, {"models", std::move(models)}});
}

}  // namespace ag::api
