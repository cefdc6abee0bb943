// A model's input schema (src/inputs/schema): the subset checked, then a job's input against it.
#include <catch2/catch.hpp>

#include "inputs/schema.hpp"

using namespace ag;

namespace {

/// The issue's flux-dev schema.
Json flux() {
  return *parse_json(R"({"type":"object","required":["prompt"],"additionalProperties":false,
    "properties":{"prompt":{"type":"string","maxLength":2000},
      "num_outputs":{"type":"integer","minimum":1,"maximum":4,"default":1},
      "image":{"type":"string","format":"asset"}}})");
}

inputs::Schema checked(const Json& document) {
  auto out = inputs::check_schema(document);
  INFO(out.problem);
  REQUIRE(out.schema);
  return *out.schema;
}

std::string problem(const Json& document) { return inputs::check_schema(document).problem; }

Json with_property(const char* name, const char* schema) {
  Json document = flux();
  document["properties"][name] = *parse_json(schema);
  return document;
}

}  // namespace

TEST_CASE("the flux-dev schema is read property by property", "[schema]") {
  auto schema = checked(flux());
  REQUIRE(schema.properties.size() == 3);
  const auto* prompt = schema.find("prompt");
  REQUIRE(prompt);
  CHECK(prompt->required);
  CHECK(prompt->max_length == 2000u);
  const auto* outputs = schema.find("num_outputs");
  REQUIRE(outputs);
  CHECK(outputs->type == inputs::Type::integer);
  CHECK_FALSE(outputs->required);
  CHECK(outputs->default_value == Json(1));
  CHECK(*outputs->maximum == 4);
  CHECK(schema.find("image")->asset);
  CHECK_FALSE(schema.find("missing"));
}

TEST_CASE("nesting, arrays, $ref and unknown keywords are refused, naming the path", "[schema]") {
  CHECK(problem(with_property("style", R"({"type":"object","properties":{"a":{"type":"string"}}})")) ==
        "input_schema.properties.style.type must be string, integer, number or boolean (nested objects, arrays and "
        "null are not supported)");
  CHECK(problem(with_property("tags", R"({"type":"array"})")).rfind("input_schema.properties.tags.type must be", 0) ==
        0);
  CHECK(problem(with_property("seed", R"({"$ref":"#/definitions/seed"})")) ==
        "input_schema.properties.seed.$ref is not supported");
  CHECK(problem(with_property("seed", R"({"type":"integer","multipleOf":2})")) ==
        "input_schema.properties.seed.multipleOf is not supported");
  CHECK(problem(with_property("seed", R"({"type":["integer","string"]})")) ==
        "input_schema.properties.seed.type must be string, integer, number or boolean (nested objects, arrays and "
        "null are not supported)");
  CHECK(problem(with_property("seed", R"({"type":"string","format":"uri"})")) ==
        "input_schema.properties.seed.format must be \"asset\" (no other format is supported)");
  CHECK(problem(with_property("seed", R"({"type":"integer","maxLength":3})")) ==
        "input_schema.properties.seed.maxLength does not apply to type integer");
  CHECK(problem(with_property("seed", R"({"type":"string","minimum":3})")) ==
        "input_schema.properties.seed.minimum does not apply to type string");
  CHECK(problem(with_property("seed", R"({"description":"no type"})")) ==
        "input_schema.properties.seed needs a type or an enum");
  CHECK(problem(with_property("a b", R"({"type":"string"})")) ==
        "input_schema.properties.a b: a field name is 1 to 64 of A-Z a-z 0-9 _ -");
  CHECK(problem(with_property("seed", "true")) == "input_schema.properties.seed must be an object (a schema)");
}

TEST_CASE("the top level is an object that allows no other fields", "[schema]") {
  Json document = flux();
  document.erase("additionalProperties");
  CHECK(problem(document) ==
        "input_schema.additionalProperties must be false: a job's input holds only declared fields");
  document = flux();
  document["type"] = "string";
  CHECK(problem(document) == "input_schema.type must be \"object\"");
  document = flux();
  document["maxLength"] = 3;
  CHECK(problem(document) == "input_schema.maxLength does not apply to the input object");
  document = flux();
  document["required"] = {"prompt", "negative_prompt"};
  CHECK(problem(document) == "input_schema.required names \"negative_prompt\", which is not a property");
  CHECK(problem(Json::array()) == "input_schema must be an object (a schema)");
}

TEST_CASE("a default must pass its own property, and bounds must be in order", "[schema]") {
  CHECK(problem(with_property("steps", R"({"type":"integer","minimum":1,"maximum":50,"default":80})")) ==
        "input_schema.properties.steps.default must be at most 50");
  CHECK(problem(with_property("steps", R"({"type":"integer","default":"ten"})")) ==
        "input_schema.properties.steps.default must be of type integer");
  CHECK(problem(with_property("steps", R"({"type":"integer","minimum":5,"maximum":1})")) ==
        "input_schema.properties.steps.minimum is above its maximum");
  CHECK(problem(with_property("text", R"({"type":"string","minLength":5,"maxLength":1})")) ==
        "input_schema.properties.text.minLength is above its maxLength");
  CHECK(problem(with_property("size", R"({"type":"string","enum":["a",1]})")) ==
        "input_schema.properties.size.enum values must all be strings, all numbers or all booleans");
  CHECK(problem(with_property("size", R"({"type":"string","enum":[1,2]})")) ==
        "input_schema.properties.size.enum value 1 must be of type string");
  CHECK(problem(with_property("size", R"({"enum":[]})")) ==
        "input_schema.properties.size.enum must list at least one value");
}

TEST_CASE("an enum without a type takes its values' type", "[schema]") {
  auto schema = checked(with_property("size", R"({"enum":[512,1024],"default":512})"));
  CHECK(schema.find("size")->type == inputs::Type::integer);
  CHECK(schema.find("size")->values == std::vector<Json>{512, 1024});
  CHECK(checked(with_property("q", R"({"enum":["low","high"]})")).find("q")->type == inputs::Type::string);
  CHECK(checked(with_property("q", R"({"enum":[0.5,1]})")).find("q")->type == inputs::Type::number);
}

TEST_CASE("validation fills defaults and keeps only declared fields", "[schema]") {
  auto schema = checked(flux());
  auto valid = inputs::validate(schema, Json{{"prompt", "a lighthouse"}});
  REQUIRE(valid.problem.empty());
  CHECK(valid.fields == Json{{"prompt", "a lighthouse"}, {"num_outputs", 1}});
  CHECK(valid.assets.empty());

  valid = inputs::validate(schema, Json{{"prompt", "a lighthouse"}, {"num_outputs", 3.0}});
  REQUIRE(valid.problem.empty());
  CHECK(valid.fields["num_outputs"].is_number_integer());  // 3.0 is an integer, sent as 3
  CHECK(valid.fields["num_outputs"] == 3);
}

TEST_CASE("a refused input names the field", "[schema]") {
  auto schema = checked(flux());
  auto refused = [&](const char* input) { return inputs::validate(schema, *parse_json(input)).problem; };
  CHECK(refused(R"({"prompt":"a","seed":4})") == "input.seed is not allowed");
  CHECK(refused(R"({"num_outputs":2})") == "input.prompt is required");
  CHECK(refused(R"({"prompt":"a","num_outputs":5})") == "input.num_outputs must be at most 4");
  CHECK(refused(R"({"prompt":"a","num_outputs":0})") == "input.num_outputs must be at least 1");
  CHECK(refused(R"({"prompt":"a","num_outputs":1.5})") == "input.num_outputs must be of type integer");
  CHECK(refused(R"({"prompt":7})") == "input.prompt must be of type string");
  CHECK(refused(R"({"prompt":"a","image":"../etc/passwd"})").rfind("input.image must be an asset key: ", 0) == 0);
  CHECK(refused(R"(["prompt"])") == "input must be of type object");
}

TEST_CASE("maxLength counts characters, not bytes", "[schema]") {
  auto schema = checked(with_property("prompt", R"({"type":"string","maxLength":3})"));
  CHECK(inputs::validate(schema, Json{{"prompt", "\xc3\xa9\xc3\xa9\xc3\xa9"}}).problem.empty());  // "ééé": 6 bytes
  CHECK(inputs::validate(schema, Json{{"prompt", "abcd"}}).problem == "input.prompt must be at most 3 characters");
}

TEST_CASE("format asset fields are reported for the job to link", "[schema]") {
  auto schema = checked(flux());
  auto valid = inputs::validate(schema, Json{{"prompt", "animate it"}, {"image", "users/u1/cat.png"}});
  REQUIRE(valid.problem.empty());
  REQUIRE(valid.assets.size() == 1);
  CHECK(valid.assets[0].field == "image");
  CHECK(valid.assets[0].key == "users/u1/cat.png");
  CHECK(valid.fields["image"] == "users/u1/cat.png");
}

TEST_CASE("input_map renames fields for the provider and must fit the schema", "[schema]") {
  auto schema = checked(flux());
  Json map = {{"image", "image_url"}};
  REQUIRE_FALSE(inputs::input_map_problem(map, schema));
  auto valid = inputs::validate(schema, Json{{"prompt", "p"}, {"image", "public/a.png"}});
  CHECK(inputs::rename(valid.fields, map) == Json{{"prompt", "p"}, {"num_outputs", 1}, {"image_url", "public/a.png"}});

  CHECK(inputs::input_map_problem(Json{{"seed", "s"}}, schema) == "input_map.seed is not a property of input_schema");
  CHECK(inputs::input_map_problem(Json{{"image", "prompt"}}, schema) == "input_map sends two fields as prompt");
  CHECK(inputs::input_map_problem(Json{{"image", 3}}, schema) ==
        "input_map.image must be a field name (1 to 64 of A-Z a-z 0-9 _ -)");
  CHECK(inputs::input_map_problem(Json::array(), schema) ==
        "input_map must be an object of {\"our_name\": \"provider_name\"}");
}

TEST_CASE("a model without a schema takes a prompt of 1 to 4000 characters and nothing else", "[schema]") {
  const auto& schema = inputs::default_schema();
  CHECK(inputs::validate(schema, Json{{"prompt", std::string(4000, 'a')}}).problem.empty());
  CHECK(inputs::validate(schema, Json{{"prompt", std::string(4001, 'a')}}).problem ==
        "input.prompt must be at most 4000 characters");
  CHECK(inputs::validate(schema, Json{{"prompt", ""}}).problem == "input.prompt must be at least 1 character");
  CHECK(inputs::validate(schema, Json{{"prompt", "a"}, {"steps", 3}}).problem == "input.steps is not allowed");
}
