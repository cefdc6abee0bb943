#pragma once
// The models a job can name (public.models, seeded by migrations/0002): every statement about
// them. Jobs read them through models/catalog.hpp. The rule that one enabled model is
// the default lives in migrations/functions/models.sql.
#include <cstdint>
#include <optional>
#include <string>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::models {

/// The enabled models, the default first, then by id: id, provider, content_type, is_default,
/// revision, input_schema, input_map and pricing (models/catalog.hpp reads them).
Task<Json> enabled_model_rows(Ctx& ctx);

/// A model as the admin API writes it (models/document.hpp reads it from a request).
struct Model {
  std::string id;
  std::string provider;
  std::optional<std::string> provider_model;  // nullopt: the model's id
  std::string content_type;
  Json pricing;                 // checked against the schema (inputs::check_pricing)
  Json input_schema = nullptr;  // null: inputs::default_schema()
  Json input_map = nullptr;     // null: the provider gets the inputs under our names
  bool enabled = true;
  bool is_default = false;
  std::optional<std::string> endpoint_id;     // RunPod only; nullopt: RUNPOD_ENDPOINT_ID
  std::optional<std::string> fallback_model;  // where a submission refused for infrastructure reasons goes
  int max_attempts = 1;                       // runs of a generation its provider reports failed
};

/// Every model, enabled or not, in the admin's view (admin_view), the default first.
Task<Json> all_models(Ctx& ctx);

/// What put_model and disable_model did: `outcome` (saved, disabled, not_found,
/// default_required, invalid_fallback), whether the model is new, and the model in the admin's view (null when
/// there is none).
struct Change {
  std::string outcome;
  bool created = false;
  Json model;
};

/// Creates or replaces the model; a new default takes the mark from the old one.
Task<Change> put_model(Ctx& ctx, const Model& model);
/// Disables the model (jobs keep naming it); the default cannot be disabled.
Task<Change> disable_model(Ctx& ctx, const std::string& id);

}  // namespace ag::models
