#include "api/handlers.hpp"
#include "models/catalog.hpp"

namespace ag::api {

/// GET /models: what a job can name, the inputs it takes and what it costs; public.
Task<Response> list_models(Ctx& ctx, const Request&) {
  std::shared_ptr<const models::Catalog> catalog = co_await models::catalog(ctx);
  Json shown = Json::array();
  for (const models::Priced& model : catalog->models) shown.push_back(models::public_view(model));
  co_return json_response(200, {{"ok", true}, {"models", std::move(shown)}});
}

}  // namespace ag::api
