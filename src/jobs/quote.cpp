#include "jobs/quote.hpp"

#include "inputs/pricing.hpp"
#include "models/catalog.hpp"

namespace ag::jobs {
namespace {

/// The input the caller asks for, with seed 000's top-level prompt moved into it.
Task<Json> requested_input(Ctx& ctx, const Json& body) {
  Json input = body.value("input", Json::object());
  if (body.contains("prompt")) {
    if (input.contains("prompt") && input["prompt"] != body["prompt"])
      co_await ctx.raise(errors::invalid_input("prompt and input.prompt differ: give one of them"));
    input["prompt"] = body["prompt"];
  }
  co_return input;
}

/// The quote `catalog` gives, or the error that refuses it.
struct Attempt {
  Quote quote;
  std::optional<ApiError> refusal;
};

Attempt price(const models::Catalog& catalog, const std::optional<std::string>& name, const Json& input) {
  const models::Priced* model = catalog.find(name);
  if (!model) return {{}, errors::invalid_request("unknown or disabled model")};
  inputs::Validated validated = inputs::validate(model->schema, input);
  if (!validated.problem.empty()) return {{}, errors::invalid_input(validated.problem)};
  Quote out;
  out.model = model->id;
  out.provider = model->provider;
  out.revision = model->revision;
  out.provider_input = inputs::rename(validated.fields, model->input_map);
  out.provider_names = model->input_map;
  out.cost_credits = inputs::price(model->pricing, validated.fields);
  if (!model->pricing.usage.empty())
    out.terms = {{"input_schema", model->schema.document}, {"pricing", model->pricing_document}};
  out.fields = std::move(validated.fields);
  out.assets = std::move(validated.assets);
  return {std::move(out), std::nullopt};
}

}  // namespace

Task<Quote> quote(Ctx& ctx, const Json& body, bool fresh) {
  Json input = co_await requested_input(ctx, body);
  const std::optional<std::string> name = string_field(body, "model");
  std::shared_ptr<const models::Catalog> catalog = co_await models::catalog(ctx, fresh);
  Attempt priced = price(*catalog, name, input);
  // A refusal by this isolate's copy is checked against the database: the model may be new,
  // or take what it did not (an accepted input's price is checked by create_job's revision).
  if (priced.refusal && !fresh) {
    catalog = co_await models::catalog(ctx, true);
    priced = price(*catalog, name, input);
  }
  if (priced.refusal) co_await ctx.raise(std::move(*priced.refusal));
  co_return std::move(priced.quote);
}

}  // namespace ag::jobs
