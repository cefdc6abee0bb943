#include "models/store.hpp"

#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::models {

namespace {
constexpr std::string_view kEnabledModels =
    "select id, provider, content_type, is_default, revision, input_schema, input_map, pricing "
    "from public.models where enabled order by is_default desc, id";
constexpr std::string_view kAllModels =
    "select to_jsonb(m) as model from public.models m order by m.is_default desc, m.id";

/// A models row (as to_jsonb spells it) as the admin API shows it.
Json admin_view(const Json& row) {
  if (!row.is_object()) return nullptr;
  return Json{{"id", row.value("id", Json(nullptr))},
              {"provider", row.value("provider", Json(nullptr))},
              {"provider_model", row.value("provider_model", Json(nullptr))},
              {"content_type", row.value("content_type", Json(nullptr))},
              {"pricing", row.value("pricing", Json(nullptr))},
              {"input_schema", row.value("input_schema", Json(nullptr))},
              {"input_map", row.value("input_map", Json(nullptr))},
              {"enabled", row.value("enabled", false)},
              {"default", row.value("is_default", false)},
              {"endpoint_id", row.value("endpoint_id", Json(nullptr))},
              {"fallback_model", row.value("fallback_model", Json(nullptr))},
              {"max_attempts", row.value("max_attempts", Json(1))},
              {"revision", row.value("revision", Json(nullptr))},
              {"created_at", row.value("created_at", Json(nullptr))}};
}

}  // namespace

Task<Json> enabled_model_rows(Ctx& ctx) { co_return co_await db::query(ctx, kEnabledModels); }

Task<Json> all_models(Ctx& ctx) {
  Json rows = co_await db::query(ctx, kAllModels);
  Json models = Json::array();
  for (const Json& row : rows) models.push_back(admin_view(row.value("model", Json(nullptr))));
  co_return models;
}

Task<Change> put_model(Ctx& ctx, const Model& model) {
  auto json_or_null = [](const Json& value) { return value.is_null() ? Json(nullptr) : Json(dump(value)); };
  Json params = Json::array({model.id, model.provider, db::optional_text(model.provider_model), model.content_type,
                             dump(model.pricing), model.enabled, model.is_default, db::optional_text(model.endpoint_id),
                             db::optional_text(model.fallback_model), model.max_attempts,
                             json_or_null(model.input_schema), json_or_null(model.input_map)});
  Json rows = co_await db::query(ctx,
                                 "select outcome, created, model from public.put_model($1::text, $2::text, $3::text, "
                                 "$4::text, $5::jsonb, $6::boolean, $7::boolean, $8::text, $9::text, $10::integer, "
                                 "$11::jsonb, $12::jsonb)",
                                 std::move(params));
  if (rows.empty()) co_return Change{};
  co_return Change{string_field(rows[0], "outcome").value_or(""), rows[0].value("created", false),
                   admin_view(rows[0].value("model", Json(nullptr)))};
}

Task<Change> disable_model(Ctx& ctx, const std::string& id) {
  Json params = Json::array({id});
  Json rows = co_await db::query(ctx, "select outcome, model from public.disable_model($1::text)", std::move(params));
  if (rows.empty()) co_return Change{};
  co_return Change{string_field(rows[0], "outcome").value_or(""), false,
                   admin_view(rows[0].value("model", Json(nullptr)))};
}

}  // namespace ag::models
