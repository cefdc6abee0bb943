#pragma once
// What a job request asks for and what it costs, before anything is charged: its model (from
// the catalog), its input checked against the model's schema with the defaults filled in, the
// fields its provider receives, and its price. POST /jobs reserves exactly this price;
// POST /jobs/estimate shows it.
#include <cstdint>
#include <string>
#include <vector>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "inputs/schema.hpp"

namespace ag::jobs {

struct Quote {
  std::string model;
  std::string provider;
  std::int64_t revision = 0;               // the model revision the price was computed from
  Json fields;                             // the validated input, under our names
  Json provider_input;                     // the same, under the provider's names (the model's input_map)
  Json provider_names;                     // the model's input_map: {"our_name": "provider_name"}
  std::vector<inputs::AssetInput> assets;  // the asset keys the input names, by our field names
  std::int64_t cost_credits = 0;
  // A usage-priced model's input_schema and pricing, which the job keeps to be settled by on
  // completion whatever the model becomes meanwhile (jobs/settlement.hpp); null otherwise.
  Json terms;
};

/// The job `body` ({"model"?, "prompt"?, "input"?}) asks for. The top-level prompt is the
/// input's prompt. Raises 400: an unknown or disabled model (invalid_request), an input its
/// schema refuses (invalid_input, naming the field). `fresh` reads the models from the
/// database rather than the isolate's copy.
Task<Quote> quote(Ctx& ctx, const Json& body, bool fresh = false);

}  // namespace ag::jobs
