// A model's price from its inputs (src/inputs/pricing, amount): exact sums, rounded up once.
#include <catch2/catch.hpp>

#include "inputs/pricing.hpp"

using namespace ag;

namespace {

inputs::Schema schema_of(const char* properties, const char* required = "[]") {
  auto document = *parse_json(std::string(R"({"type":"object","additionalProperties":false,"required":)") + required +
                              R"(,"properties":)" + properties + "}");
  auto checked = inputs::check_schema(document);
  INFO(checked.problem);
  REQUIRE(checked.schema);
  return *checked.schema;
}

inputs::Pricing pricing_of(const inputs::Schema& schema, const char* document) {
  auto checked = inputs::check_pricing(*parse_json(document), schema);
  INFO(checked.problem);
  REQUIRE(checked.pricing);
  return *checked.pricing;
}

std::string problem(const inputs::Schema& schema, const char* document) {
  return inputs::check_pricing(*parse_json(document), schema).problem;
}

/// The price of `input` after validation, as a job would be charged.
std::int64_t price(const inputs::Schema& schema, const inputs::Pricing& pricing, const char* input) {
  auto valid = inputs::validate(schema, *parse_json(input));
  INFO(valid.problem);
  REQUIRE(valid.problem.empty());
  return inputs::price(pricing, valid.fields);
}

const char* kNumbers = R"({"duration":{"type":"number","minimum":0,"maximum":30,"default":5},
  "steps":{"type":"integer","minimum":1,"maximum":50,"default":10}})";

}  // namespace

TEST_CASE("amounts are read as the decimals their sender wrote", "[pricing]") {
  using inputs::Rounding;
  CHECK(inputs::to_micros(*parse_json("0.1"), Rounding::exact) == 100'000);
  CHECK(inputs::to_micros(*parse_json("2.5"), Rounding::exact) == 2'500'000);
  CHECK(inputs::to_micros(*parse_json("7"), Rounding::exact) == 7'000'000);
  CHECK(inputs::to_micros(*parse_json("1.5e2"), Rounding::exact) == 150'000'000);
  CHECK(inputs::to_micros(*parse_json("0.000001"), Rounding::exact) == 1);
  CHECK(inputs::to_micros(*parse_json("-0.0"), Rounding::exact) == 0);
  CHECK_FALSE(inputs::to_micros(*parse_json("0.0000001"), Rounding::exact));
  CHECK(inputs::to_micros(*parse_json("0.0000001"), Rounding::up) == 1);
  CHECK(inputs::to_micros(*parse_json("4.0000001"), Rounding::up) == 4'000'001);
  CHECK(inputs::to_micros(*parse_json("1e12"), Rounding::exact) == inputs::kMaxMicros);
  CHECK_FALSE(inputs::to_micros(*parse_json("1000000000000.5"), Rounding::up));
  CHECK_FALSE(inputs::to_micros(*parse_json("1e300"), Rounding::up));
  CHECK_FALSE(inputs::to_micros(*parse_json("18446744073709551615"), Rounding::up));
  CHECK_FALSE(inputs::to_micros(*parse_json("-1"), Rounding::up));
  CHECK_FALSE(inputs::to_micros(Json("1"), Rounding::up));
}

TEST_CASE("the flux-dev example: 3 credits per output image", "[pricing]") {
  auto schema = schema_of(R"({"prompt":{"type":"string","maxLength":2000},
      "num_outputs":{"type":"integer","minimum":1,"maximum":4,"default":1},
      "image":{"type":"string","format":"asset"}})",
                          R"(["prompt"])");
  auto pricing = pricing_of(schema, R"({"base":0,"per":{"num_outputs":3}})");
  CHECK(price(schema, pricing, R"({"prompt":"p"})") == 3);
  CHECK(price(schema, pricing, R"({"prompt":"p","num_outputs":4})") == 12);
  CHECK(pricing.max_credits == 12);
}

TEST_CASE("sums are exact and rounded up once, at the end", "[pricing]") {
  auto schema = schema_of(kNumbers);
  // 0.7 + 0.1 * 3 in doubles is 1.0000000000000002, which would round up to 2.
  auto pricing = pricing_of(schema, R"({"base":0.7,"per":{"duration":0.1}})");
  CHECK(price(schema, pricing, R"({"duration":3})") == 1);
  CHECK(price(schema, pricing, R"({"duration":3.01})") == 2);
  CHECK(price(schema, pricing, R"({"duration":0})") == 1);
  pricing = pricing_of(schema, R"({"per":{"duration":0.1}})");
  CHECK(price(schema, pricing, R"({"duration":0})") == 0);
  CHECK(price(schema, pricing, R"({"duration":0.000001})") == 1);
  CHECK(price(schema, pricing, R"({"duration":10})") == 1);
}

TEST_CASE("per unit of a number input: per second of video", "[pricing]") {
  auto schema = schema_of(kNumbers);
  auto pricing = pricing_of(schema, R"({"base":1,"per":{"duration":2,"steps":0.05}})");
  CHECK(price(schema, pricing, "{}") == 12);  // 1 + 5 s × 2 + 10 steps × 0.05 = 11.5
  CHECK(price(schema, pricing, R"({"duration":2.5,"steps":20})") == 7);
  CHECK(pricing.max_credits == 64);  // 1 + 30 × 2 + 50 × 0.05 = 63.5
}

TEST_CASE("per 1,000 characters of a string input: text to speech", "[pricing]") {
  auto schema = schema_of(R"({"text":{"type":"string","maxLength":5000}})", R"(["text"])");
  auto pricing = pricing_of(schema, R"({"per_1000_characters":{"text":0.5}})");
  CHECK(price(schema, pricing, R"({"text":"hi"})") == 1);
  CHECK(price(schema, pricing, ("{\"text\":\"" + std::string(2000, 'a') + "\"}").c_str()) == 1);
  CHECK(price(schema, pricing, ("{\"text\":\"" + std::string(2001, 'a') + "\"}").c_str()) == 2);
  // Characters, not bytes: 2000 é are 4000 bytes.
  std::string accents;
  for (int i = 0; i < 2000; ++i) accents += "\xc3\xa9";
  CHECK(price(schema, pricing, ("{\"text\":\"" + accents + "\"}").c_str()) == 1);
  CHECK(pricing.max_credits == 3);
}

TEST_CASE("a price per value of an enum input", "[pricing]") {
  auto schema = schema_of(R"({"quality":{"type":"string","enum":["standard","hd"],"default":"standard"},
      "size":{"enum":[512,1024],"default":512}})");
  auto pricing =
      pricing_of(schema, R"({"base":1,"per_value":{"quality":{"standard":1,"hd":4},"size":{"512":0,"1024":2}}})");
  CHECK(price(schema, pricing, "{}") == 2);
  CHECK(price(schema, pricing, R"({"quality":"hd","size":1024})") == 7);
  CHECK(pricing.max_credits == 7);
}

TEST_CASE("per megapixel from width and height", "[pricing]") {
  auto schema = schema_of(R"({"width":{"type":"integer","minimum":64,"maximum":2048,"default":1024},
      "height":{"type":"integer","minimum":64,"maximum":2048,"default":1024}})");
  auto pricing = pricing_of(schema, R"({"per_megapixel":{"width":"width","height":"height","price":0.5}})");
  CHECK(price(schema, pricing, "{}") == 1);                               // 1.048576 MP × 0.5
  CHECK(price(schema, pricing, R"({"width":2048,"height":2048})") == 3);  // 4.194304 MP × 0.5
  CHECK(price(schema, pricing, R"({"width":1000,"height":1000})") == 1);  // exactly 0.5
  CHECK(pricing.max_credits == 3);
}

TEST_CASE("everything times a count input: per output image", "[pricing]") {
  auto schema = schema_of(R"({"num_images":{"type":"integer","minimum":1,"maximum":4,"default":1},
      "quality":{"enum":["low","high"],"default":"low"}})");
  auto pricing = pricing_of(schema, R"({"base":0.4,"per_value":{"quality":{"low":0,"high":1}},"times":"num_images"})");
  CHECK(price(schema, pricing, "{}") == 1);                                    // 0.4
  CHECK(price(schema, pricing, R"({"num_images":3})") == 2);                   // 1.2
  CHECK(price(schema, pricing, R"({"num_images":4,"quality":"high"})") == 6);  // 5.6
  CHECK(pricing.max_credits == 6);
}

TEST_CASE("usage: the reservation is the most the inputs allow, settled at what was reported", "[pricing]") {
  auto schema = schema_of(R"({"prompt":{"type":"string","maxLength":4000},
      "max_tokens":{"type":"integer","minimum":1,"maximum":4096,"default":1024}})",
                          R"(["prompt"])");
  auto pricing = pricing_of(
      schema,
      R"({"base":1,"usage":{"output_tokens":{"per_1000":2,"at_most":"max_tokens"},"seconds":{"per":0.1,"at_most":20}}})");
  auto fields = inputs::validate(schema, Json{{"prompt", "hi"}}).fields;
  // 1 + 1024 / 1000 × 2 + 20 × 0.1 = 5.048
  CHECK(inputs::price(pricing, fields) == 6);
  CHECK(inputs::settle(pricing, fields, Json{{"output_tokens", 250}, {"seconds", 3.2}}) == 2);  // 1 + 0.5 + 0.32
  CHECK(inputs::settle(pricing, fields, Json{{"output_tokens", 0}, {"seconds", 0}}) == 1);
  // Beyond the bound is counted at the bound; a meter not reported counts at its bound.
  CHECK(inputs::settle(pricing, fields, Json{{"output_tokens", 100000}, {"seconds", 0}}) == 4);  // 1 + 2.048
  CHECK(inputs::settle(pricing, fields, Json{{"output_tokens", 0}}) == 3);
  CHECK(inputs::settle(pricing, fields, Json{{"output_tokens", -5}, {"seconds", "many"}}) == 6);
  CHECK(inputs::settle(pricing, fields, Json::array()) == 6);
  CHECK(pricing.max_credits == 12);  // 1 + 4.096 × 2 + 2 = 11.192
}

TEST_CASE("a pricing must name fields the schema has, of a type it can price", "[pricing]") {
  auto schema = schema_of(R"({"prompt":{"type":"string","maxLength":100},"note":{"type":"string"},
      "seed":{"type":"integer","minimum":0},"shift":{"type":"number","minimum":-1,"maximum":1,"default":0},
      "steps":{"type":"integer","minimum":1,"maximum":50},"quality":{"enum":["a","b"],"default":"a"},
      "image":{"type":"string","format":"asset","maxLength":100,"default":"public/x.png"},
      "fast":{"type":"boolean","default":false}})",
                          R"(["prompt","seed"])");
  CHECK(problem(schema, R"({"per":{"width":1}})") == "pricing.per.width must name a field of input_schema");
  CHECK(problem(schema, R"({"per":{"prompt":1}})") == "pricing.per.prompt: prompt is not a field this rule can price");
  CHECK(problem(schema, R"({"per":{"fast":1}})") == "pricing.per.fast: fast is not a field this rule can price");
  CHECK(problem(schema, R"({"per":{"steps":1}})") ==
        "pricing.per.steps: steps must be required or have a default, so what the provider gets is priced");
  CHECK(problem(schema, R"({"per":{"seed":1}})") ==
        "pricing.per.seed: seed needs a maximum of at most 10^12 to be priced");
  CHECK(problem(schema, R"({"per":{"shift":1}})") ==
        "pricing.per.shift: shift needs a minimum of 0 or more to be priced");
  CHECK(problem(schema, R"({"per_1000_characters":{"image":1}})") ==
        "pricing.per_1000_characters.image: image is not a field this rule can price");
  CHECK(problem(schema, R"({"per_1000_characters":{"prompt":1.5}})").empty());
  CHECK(problem(schema, R"({"per_value":{"quality":{"a":1}}})") == "pricing.per_value.quality has no price for \"b\"");
  CHECK(problem(schema, R"({"per_value":{"quality":{"a":1,"b":2,"c":3}}})") ==
        "pricing.per_value.quality prices a value that is not in quality's enum");
  CHECK(problem(schema, R"({"per_value":{"fast":{"true":1}}})") == "pricing.per_value.fast: fast has no enum to price");
  CHECK(problem(schema, R"({"times":"quality"})") == "pricing.times: quality is not a field this rule can price");
  CHECK(problem(schema, R"({"base":0.0000001})") ==
        "pricing.base must be a number of credits from 0 to 1000000 with at most 6 decimal places");
  CHECK(problem(schema, R"({"base":-1})") ==
        "pricing.base must be a number of credits from 0 to 1000000 with at most 6 decimal places");
  CHECK(problem(schema, R"({"flat":1})") == "pricing.flat is not a pricing rule");
  CHECK(problem(schema, R"({"usage":{"tokens":{"per":1,"per_1000":1,"at_most":5}}})") ==
        "pricing.usage.tokens needs one of per and per_1000");
  CHECK(problem(schema, R"({"usage":{"tokens":{"per":1}}})") ==
        "pricing.usage.tokens.at_most must name a field or be a quantity of at most 10^12, to 6 decimal places");
  CHECK(problem(schema, R"({"usage":{"Tokens":{"per":1,"at_most":5}}})") ==
        "pricing.usage.Tokens: a meter's name is 1 to 64 of a-z 0-9 _");
  CHECK(problem(schema, "[]") == "pricing must be an object");
}

TEST_CASE("a pricing whose dearest input costs more than the cap is refused", "[pricing]") {
  auto schema = schema_of(R"({"n":{"type":"integer","minimum":0,"maximum":1000000000000,"default":0},
      "w":{"type":"integer","minimum":0,"maximum":1000000000000,"default":0}})");
  CHECK(problem(schema, R"({"per":{"n":1}})") ==
        "pricing: the most expensive input input_schema allows would cost more than 1000000 credits");
  CHECK(problem(schema, R"({"per_megapixel":{"width":"n","height":"w","price":1000000},"times":"n"})") ==
        "pricing: the most expensive input input_schema allows would cost more than 1000000 credits");
  CHECK(problem(schema, R"({"per":{"n":0.000001}})").empty());  // at most 1,000,000 credits
  CHECK(problem(schema, R"({"base":1000000})").empty());
  CHECK(problem(schema, R"({"base":1000000,"per":{"n":0.000001}})") ==
        "pricing: the most expensive input input_schema allows would cost more than 1000000 credits");
}
