// The model document of PUT /admin/models/:id.
#include <catch2/catch.hpp>

#include "models/document.hpp"

using namespace ag;

namespace {
Json base() { return Json{{"provider", "replicate"}, {"content_type", "image"}, {"pricing", {{"base", 2}}}}; }

std::string problem(Json document, std::string_view id = "flux") {
  return models::parse_document(id, document).problem;
}
}  // namespace

TEST_CASE("a model document needs provider, content_type and pricing; the rest has defaults", "[models]") {
  auto parsed = models::parse_document("flux", base());
  REQUIRE(parsed.problem.empty());
  CHECK(parsed.model.id == "flux");
  CHECK(parsed.model.provider == "replicate");
  CHECK(parsed.model.content_type == "image");
  CHECK(parsed.model.pricing == Json{{"base", 2}});
  CHECK(parsed.model.input_schema.is_null());
  CHECK(parsed.model.input_map.is_null());
  CHECK(parsed.model.enabled);
  CHECK_FALSE(parsed.model.is_default);
  CHECK_FALSE(parsed.model.provider_model);
  CHECK_FALSE(parsed.model.endpoint_id);

  for (const char* field : {"provider", "content_type", "pricing"}) {
    Json document = base();
    document.erase(field);
    CHECK(problem(document).find(field) != std::string::npos);
  }
}

TEST_CASE("a model document's fields are checked one by one, unknown ones refused", "[models]") {
  auto with = [](const char* field, Json value) {
    Json document = base();
    document[field] = std::move(value);
    return problem(document);
  };
  CHECK(with("provider", "modal") == "provider must be runpod, replicate, openai or fal");
  CHECK(with("content_type", "3d").find("content_type") == 0);
  Json openai_video = base();
  openai_video["provider"] = "openai";
  openai_video["content_type"] = "video";
  CHECK(problem(openai_video) == "an openai model makes text, image or audio");
  openai_video["content_type"] = "audio";
  CHECK(problem(openai_video).empty());
  CHECK(with("pricing", Json{{"base", -1}}).find("pricing.base") == 0);
  CHECK(with("pricing", Json{{"base", 1'000'001}}).find("pricing") == 0);
  CHECK(with("pricing", Json{{"base", 1.5}}).empty());
  CHECK(with("pricing", Json{{"base", 1'000'000}}).empty());
  CHECK(with("cost_credits", 2) == "unknown field cost_credits");
  CHECK(with("enabled", "yes") == "enabled must be true or false");
  CHECK(with("default", 1) == "default must be true or false");
  CHECK(with("max_attempts", 2).empty());
  CHECK(models::parse_document("flux", base()).model.max_attempts == 1);
  for (Json bad : {Json(0), Json(11), Json(1.5), Json("2"), Json(nullptr)})
    CHECK(with("max_attempts", bad) == "max_attempts must be an integer from 1 to 10");
  CHECK(with("mystery", 1) == "unknown field mystery");
  CHECK(with("fallback_model", "flux-backup").empty());
  CHECK(with("fallback_model", "flux") == "fallback_model must be another model");
  CHECK(with("fallback_model", "a/b") == "fallback_model must be a model id");

  CHECK(with("provider_model", "black-forest-labs/flux-schnell").empty());
  CHECK(with("provider_model", "stability-ai/sdxl:39ed52f2a78e").empty());
  CHECK(with("provider_model", "39ed52f2a78e").empty());
  CHECK(with("provider_model", nullptr).empty());
  CHECK(with("provider_model", "fal-ai/kling-video/v2/master/text-to-video").empty());  // fal's endpoint ids
  for (const char* bad :
       {"", "a/b/", "a//b", "a/../b", "../etc", "owner/name:", "owner/name:v.1", "own er/name", "/name"})
    CHECK(with("provider_model", bad).find("provider_model") == 0);

  Json disabled_default = base();
  disabled_default["default"] = true;
  disabled_default["enabled"] = false;
  CHECK(problem(disabled_default) == "the default model must be enabled");

  CHECK(with("endpoint_id", "ep-1") == "endpoint_id is for runpod models only");
  Json runpod = base();
  runpod["provider"] = "runpod";
  runpod["endpoint_id"] = "ep-1";
  CHECK(problem(runpod).empty());
  runpod["endpoint_id"] = "ep/1";
  CHECK(problem(runpod) == "endpoint_id must be a RunPod endpoint id");
}

TEST_CASE("model ids are short names that fit a URL path", "[models]") {
  CHECK(models::is_model_id("flux-schnell.v2_b"));
  CHECK(models::is_model_id(std::string(128, 'a')));
  CHECK_FALSE(models::is_model_id(std::string(129, 'a')));
  CHECK_FALSE(models::is_model_id(""));
  CHECK_FALSE(models::is_model_id("-flux"));
  CHECK_FALSE(models::is_model_id("flux schnell"));
  CHECK_FALSE(models::is_model_id("owner/name"));
}

TEST_CASE("a model document's schema, input map and pricing are checked together", "[models]") {
  const Json schema = parse_json(R"({"type":"object","required":["prompt"],"additionalProperties":false,
    "properties":{"prompt":{"type":"string","maxLength":2000},
      "num_outputs":{"type":"integer","minimum":1,"maximum":4,"default":1}}})")
                          .value();
  Json document = base();
  document["input_schema"] = schema;
  document["pricing"] = Json{{"base", 0}, {"per", {{"num_outputs", 3}}}};
  document["input_map"] = Json{{"num_outputs", "n"}};
  auto parsed = models::parse_document("flux", document);
  REQUIRE(parsed.problem.empty());
  CHECK(parsed.model.input_schema == schema);
  CHECK(parsed.model.input_map == Json{{"num_outputs", "n"}});

  // without the schema, num_outputs is not an input: neither priced nor renamed
  Json undeclared = document;
  undeclared.erase("input_schema");
  CHECK(problem(undeclared).find("input_map.num_outputs") == 0);
  undeclared.erase("input_map");
  CHECK(problem(undeclared).find("pricing.per.num_outputs") == 0);

  Json nested = document;
  nested["input_schema"]["properties"]["options"] = Json{{"type", "object"}};
  CHECK(problem(nested).find("input_schema") == 0);
  Json asset = document;
  asset["input_schema"]["properties"]["image"] = Json{{"type", "string"}, {"format", "asset"}};
  CHECK(problem(asset).empty());
  Json metered = document;
  metered["input_schema"]["properties"]["max_tokens"] =
      Json{{"type", "integer"}, {"minimum", 1}, {"maximum", 4096}, {"default", 256}};
  metered["pricing"]["usage"] = Json{{"output_tokens", {{"per_1000", 2}, {"at_most", "max_tokens"}}}};
  CHECK(problem(metered).empty());
  metered["pricing"]["usage"]["output_tokens"]["at_most"] = "max_length";
  CHECK(problem(metered).find("pricing.usage.output_tokens.at_most") == 0);
  Json null_schema = base();
  null_schema["input_schema"] = nullptr;
  CHECK(problem(null_schema).empty());
}
