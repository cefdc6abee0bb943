#include "models/catalog.hpp"

#include "core/log.hpp"
#include "db/row.hpp"
#include "models/store.hpp"
#include "models/terms.hpp"

namespace ag::models {
namespace {

struct CatalogCache {
  std::shared_ptr<const Catalog> held;
};

/// The row as a Priced model; nullopt (logged) when its schema or pricing does not check,
/// which only a hand-written row can cause: such a model takes no jobs until it is fixed.
std::optional<Priced> priced(Ctx& ctx, const Json& row) {
  Priced model;
  model.id = string_field(row, "id").value_or("");
  model.provider = string_field(row, "provider").value_or("");
  model.content_type = string_field(row, "content_type").value_or("");
  model.is_default = row.value("is_default", false);
  model.revision = db::integer_column(row, "revision").value_or(0);
  model.pricing_document = row.value("pricing", Json(nullptr));
  CheckedTerms checked = check_terms(row.value("input_schema", Json(nullptr)), row.value("input_map", Json(nullptr)),
                                     model.pricing_document);
  if (!checked.terms) {
    log::error("model row does not check; it takes no jobs",
               {{"request_id", ctx.request_id()}, {"model", model.id}, {"problem", checked.problem}});
    return std::nullopt;
  }
  model.schema = std::move(checked.terms->schema);
  model.input_map = std::move(checked.terms->input_map);
  model.pricing = std::move(checked.terms->pricing);
  return model;
}

}  // namespace

const Priced* Catalog::find(const std::optional<std::string>& id) const {
  for (const Priced& model : models)
    if (id ? model.id == *id : model.is_default) return &model;
  return nullptr;
}

Task<std::shared_ptr<const Catalog>> catalog(Ctx& ctx, bool fresh) {
  CatalogCache& cache = ctx.isolate().slot<CatalogCache>();
  const std::int64_t now = ctx.now_ms();
  if (!fresh && cache.held && now - cache.held->read_at_ms < kCatalogTtlMs) co_return cache.held;
  Json rows = co_await enabled_model_rows(ctx);
  auto read = std::make_shared<Catalog>();
  read->read_at_ms = now;
  for (const Json& row : rows)
    if (auto model = priced(ctx, row)) read->models.push_back(std::move(*model));
  cache.held = read;
  co_return read;
}

void forget_catalog(Ctx& ctx) { ctx.isolate().slot<CatalogCache>().held.reset(); }

Json public_view(const Priced& model) {
  // Inputs without a default count as zero (a prompt of no characters).
  Json defaults = Json::object();
  for (const inputs::Property& property : model.schema.properties)
    if (property.default_value) defaults[property.name] = *property.default_value;
  return {{"id", model.id},
          {"provider", model.provider},
          {"content_type", model.content_type},
          {"cost_credits", inputs::price(model.pricing, defaults)},
          {"default", model.is_default},
          {"input_schema", model.schema.document},
          {"pricing", model.pricing_document}};
}

}  // namespace ag::models
