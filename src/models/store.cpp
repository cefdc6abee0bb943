#include "models/store.hpp"

#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::models {

namespace {
constexpr std::string_view kEnabledModels =
    "select id, provider, content_type, cost_credits, is_default from public.models "
    "where enabled order by is_default desc, id";
}  // namespace

Task<Json> enabled_models(Ctx& ctx) {
  Json rows = co_await db::query(ctx, kEnabledModels);
  Json models = Json::array();
  for (const Json& row : rows) {
    auto cost = db::integer_column(row, "cost_credits");
    auto is_default = row.find("is_default");
    models.push_back({{"id", string_field(row, "id").value_or("")},
                      {"provider", string_field(row, "provider").value_or("")},
                      {"content_type", string_field(row, "content_type").value_or("")},
                      {"cost_credits", cost ? Json(*cost) : Json(nullptr)},
                      {"default", is_default != row.end() && *is_default == true}});
  }
  co_return models;
}

}  // namespace ag::models
