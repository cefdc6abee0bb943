// Replicate's predictions API behind the Provider interface (PROTOCOLS.md "Replicate").
#include <catch2/catch.hpp>

#include "providers/registry.hpp"
#include "providers/replicate.hpp"

using namespace ag;

namespace {

Config configured(bool with_secret = true) {
  Config config;
  config.set("REPLICATE_API_TOKEN", "r8_token");
  config.set("REPLICATE_API_BASE", "http://replicate.test/v1/");
  if (with_secret) config.set("REPLICATE_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  return config;
}

std::unique_ptr<providers::Provider> replicate_for(std::string model, bool with_secret = true) {
  return providers::configured(configured(with_secret), {"replicate", std::nullopt, std::move(model)});
}

EffectResult reply(int status, std::string body) {
  return EffectResult{{{"status", status}, {"headers", Json::array()}}, std::move(body)};
}

}  // namespace

TEST_CASE("Replicate is configured by its API token; the base defaults to the public API", "[replicate]") {
  CHECK_FALSE(replicate::settings(Config{}));
  Config token_only;
  token_only.set("REPLICATE_API_TOKEN", "r8_token");
  auto defaults = replicate::settings(token_only);
  REQUIRE(defaults);
  CHECK(defaults->api_base == "https://api.replicate.com/v1");
  CHECK(defaults->webhook_secret.empty());
  CHECK(replicate::settings(configured())->api_base == "http://replicate.test/v1");

  CHECK(providers::accepting(Config{}) == std::vector<std::string>{"runpod"});
  CHECK(providers::accepting(token_only) == std::vector<std::string>{"runpod", "replicate"});
}

TEST_CASE("Replicate predictions are created on a model, or on a pinned version", "[replicate]") {
  auto latest = replicate_for("black-forest-labs/flux-schnell")
                    ->submit_request(Json{{"prompt", "a cat"}, {"model", "flux"}, {"seed", 7}},
                                     "https://api.test/webhooks/replicate/j?token=t");
  CHECK(latest.method == "POST");
  CHECK(latest.url == "http://replicate.test/v1/models/black-forest-labs/flux-schnell/predictions");
  CHECK(std::find(latest.headers.begin(), latest.headers.end(),
                  std::pair<std::string, std::string>{"authorization", "Bearer r8_token"}) != latest.headers.end());
  // our `model` sets the price; the prediction gets the caller's input without it
  CHECK(*parse_json(*latest.body) == Json{{"input", {{"prompt", "a cat"}, {"seed", 7}}},
                                          {"webhook", "https://api.test/webhooks/replicate/j?token=t"},
                                          {"webhook_events_filter", {"completed"}}});

  auto pinned = replicate_for("stability-ai/sdxl:39ed52f2")->submit_request(Json{{"prompt", "x"}}, "https://cb");
  CHECK(pinned.url == "http://replicate.test/v1/predictions");
  CHECK(parse_json(*pinned.body)->at("version") == "39ed52f2");
  auto bare = replicate_for("39ed52f2")->submit_request(Json{{"prompt", "x"}}, "https://cb");
  CHECK(bare.url == "http://replicate.test/v1/predictions");
  CHECK(parse_json(*bare.body)->at("version") == "39ed52f2");
}

TEST_CASE("Replicate without its webhook secret is asked for no webhook: completion is polled", "[replicate]") {
  auto spec = replicate_for("owner/model", false)->submit_request(Json{{"prompt", "x"}}, "https://cb");
  CHECK_FALSE(parse_json(*spec.body)->contains("webhook"));
  CHECK_FALSE(parse_json(*spec.body)->contains("webhook_events_filter"));
}

TEST_CASE("Replicate statuses, polls and cancels map to the lifecycle", "[replicate]") {
  CHECK(replicate::lifecycle_status("starting") == "submitted");
  CHECK(replicate::lifecycle_status("processing") == "running");
  CHECK(replicate::lifecycle_status("succeeded") == "completed");
  CHECK(replicate::lifecycle_status("failed") == "failed");
  CHECK(replicate::lifecycle_status("canceled") == "cancelled");
  CHECK(replicate::lifecycle_status("aborted") == "timed_out");
  CHECK_FALSE(replicate::lifecycle_status("SUCCEEDED"));

  auto provider = replicate_for("owner/model");
  CHECK(provider->name() == "replicate");
  CHECK(provider->status_request("p1")->url == "http://replicate.test/v1/predictions/p1");
  CHECK(provider->status_request("p1")->method == "GET");
  CHECK(provider->cancel_request("p1")->url == "http://replicate.test/v1/predictions/p1/cancel");
  CHECK(provider->cancel_request("p1")->method == "POST");

  auto created = provider->submit_reply(reply(201, R"({"id":"p1","status":"starting"})"));
  REQUIRE(created);
  CHECK(created->status == "submitted");
  CHECK_FALSE(provider->submit_reply(reply(422, R"({"detail":"bad input"})")));

  auto done =
      provider->status_reply(reply(200, R"({"id":"p1","status":"succeeded","output":["https://r.test/a.png"]})"), "p1");
  REQUIRE(done.state);
  CHECK(done.state->status == "completed");
  CHECK(provider->output(*done.state) == Json::array({"https://r.test/a.png"}));
  CHECK(provider->status_reply(reply(429, R"({"detail":"Request was throttled."})"), "p1").unreachable);
  CHECK_FALSE(provider->status_reply(reply(404, R"({"detail":"Not found."})"), "p1").state);

  EffectResult huge{{{"error", {{"code", "too_large"}, {"status", 200}}}}, ""};
  auto failed = provider->status_reply(huge, "p1").state;
  REQUIRE(failed);
  CHECK(failed->status == "failed");
  CHECK(failed->body["error"] == "output_too_large");

  auto cancelled = provider->cancel_reply(reply(200, R"({"id":"p1","status":"canceled"})"));
  REQUIRE(cancelled);
  CHECK(cancelled->status == "cancelled");
}

TEST_CASE("a prediction's metrics are read into the pricing's meters", "[replicate][usage]") {
  auto provider = replicate_for("meta/meta-llama-3-8b-instruct");
  auto done = provider->status_reply(
      reply(
          200,
          R"({"id":"p1","status":"succeeded","output":["a"],"metrics":{"input_token_count":9,"output_token_count":120,"predict_time":1.25,"tokens_per_second":96}})"),
      "p1");
  REQUIRE(done.state);
  CHECK(provider->usage(*done.state) == Json{{"input_tokens", 9}, {"output_tokens", 120}, {"predict_seconds", 1.25}});
  auto bare = provider->status_reply(reply(200, R"({"id":"p1","status":"succeeded","output":["a"]})"), "p1");
  REQUIRE(bare.state);
  CHECK(provider->usage(*bare.state) == Json::object());
}
