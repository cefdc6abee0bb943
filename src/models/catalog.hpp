#pragma once
// The enabled models as jobs use them: each with its input schema and pricing read and checked
// (src/inputs), cached per isolate for kCatalogTtlMs. The cache is never trusted with money:
// create_job reserves only a price computed from the model's current revision, and a job that
// names a model the cache lacks, or meets a newer revision, reads the catalog afresh
// (jobs/quote.cpp). GET /models and estimates may lag an admin change by up to the TTL on
// other isolates; the isolate that made the change forgets its copy at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "inputs/pricing.hpp"
#include "inputs/schema.hpp"

namespace ag::models {

inline constexpr std::int64_t kCatalogTtlMs = 30'000;

/// An enabled model with its inputs and price.
struct Priced {
  std::string id;
  std::string provider;
  std::string content_type;
  bool is_default = false;
  std::int64_t revision = 0;
  inputs::Schema schema;
  inputs::Pricing pricing;
  Json pricing_document;
  Json input_map = Json::object();
};

struct Catalog {
  std::vector<Priced> models;  // the default first, then by id
  std::int64_t read_at_ms = 0;

  /// The model `id` names, or the default model without one; nullptr when there is none.
  const Priced* find(const std::optional<std::string>& id) const;
};

/// The catalog: this isolate's copy while it is younger than the TTL, else (and with `fresh`,
/// always) read from the database in one statement.
Task<std::shared_ptr<const Catalog>> catalog(Ctx& ctx, bool fresh = false);

/// Drops this isolate's copy (after the admin API changed a model).
void forget_catalog(Ctx& ctx);

/// A model as GET /models shows it: id, provider, content_type, default, input_schema, pricing,
/// and cost_credits, what a job with every input at its default costs.
Json public_view(const Priced& model);

}  // namespace ag::models
