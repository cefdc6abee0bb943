#include <catch2/catch.hpp>

#include "providers/registry.hpp"
#include "providers/runpod.hpp"

using namespace ag;

namespace {
Config configured(std::string base = "") {
  Config config;
  config.set("RUNPOD_API_KEY", "rp-key");
  config.set("RUNPOD_ENDPOINT_ID", "ep1");
  if (!base.empty()) config.set("RUNPOD_API_BASE", base);
  return config;
}
}  // namespace

TEST_CASE("RunPod settings need the key and the endpoint", "[runpod]") {
  CHECK_FALSE(runpod::settings(Config{}));
  Config key_only;
  key_only.set("RUNPOD_API_KEY", "k");
  CHECK_FALSE(runpod::settings(key_only));
  auto defaults = runpod::settings(configured());
  REQUIRE(defaults);
  CHECK(defaults->api_base == "https://api.runpod.ai/v2");
  CHECK(runpod::settings(configured("http://127.0.0.1:9/v2//"))->api_base == "http://127.0.0.1:9/v2");
}

TEST_CASE("RunPod requests: /run with input and webhook, /status, /cancel", "[runpod]") {
  auto settings = *runpod::settings(configured("http://rp.test"));
  auto run = runpod::run_request(settings, Json{{"prompt", "a cat"}}, "https://api.test/webhooks/runpod/j?token=t");
  CHECK(run.method == "POST");
  CHECK(run.url == "http://rp.test/ep1/run");
  CHECK(parse_json(*run.body) ==
        Json{{"input", {{"prompt", "a cat"}}}, {"webhook", "https://api.test/webhooks/runpod/j?token=t"}});
  CHECK(std::find(run.headers.begin(), run.headers.end(),
                  std::pair<std::string, std::string>{"authorization", "Bearer rp-key"}) != run.headers.end());
  CHECK_FALSE(parse_json(*runpod::run_request(settings, Json::object(), "").body)->contains("webhook"));

  auto status = runpod::status_request(settings, "abc-e1");
  CHECK(status.method == "GET");
  CHECK(status.url == "http://rp.test/ep1/status/abc-e1");
  CHECK_FALSE(status.body);
  auto cancel = runpod::cancel_request(settings, "abc-e1");
  CHECK(cancel.method == "POST");
  CHECK(cancel.url == "http://rp.test/ep1/cancel/abc-e1");
}

TEST_CASE("RunPod job states parse from status bodies and map to the lifecycle", "[runpod]") {
  auto provider = providers::configured(configured(), {"runpod", std::nullopt});
  auto state = provider->parse_callback(R"({"id":"abc","status":"COMPLETED","output":{"video_url":"u"}})");
  REQUIRE(state);
  CHECK(state->id == "abc");
  CHECK(state->provider_status == "COMPLETED");
  CHECK(state->body["output"]["video_url"] == "u");
  CHECK_FALSE(provider->parse_callback(R"({"status":"COMPLETED"})"));
  CHECK_FALSE(provider->parse_callback(R"({"id":"","status":"COMPLETED"})"));
  CHECK_FALSE(provider->parse_callback(R"({"id":1,"status":"COMPLETED"})"));
  CHECK_FALSE(provider->parse_callback(R"(["id"])"));
  CHECK_FALSE(provider->parse_callback("not json"));

  CHECK(runpod::lifecycle_status("IN_QUEUE") == "submitted");
  CHECK(runpod::lifecycle_status("IN_PROGRESS") == "running");
  CHECK(runpod::lifecycle_status("COMPLETED") == "completed");
  CHECK(runpod::lifecycle_status("FAILED") == "failed");
  CHECK(runpod::lifecycle_status("CANCELLED") == "cancelled");
  CHECK(runpod::lifecycle_status("TIMED_OUT") == "timed_out");
  CHECK_FALSE(runpod::lifecycle_status("completed"));
  CHECK_FALSE(runpod::lifecycle_status("RETRYING"));
}

TEST_CASE("RunPod /status and /cancel replies are capped at 1 MiB; a larger /status fails the job", "[runpod]") {
  auto settings = *runpod::settings(configured("http://rp.test"));
  CHECK(runpod::status_request(settings, "abc-e1").max_bytes == runpod::kMaxReplyBytes);
  CHECK(runpod::cancel_request(settings, "abc-e1").max_bytes == runpod::kMaxReplyBytes);
  CHECK(runpod::kMaxReplyBytes == 1 << 20);

  auto provider = providers::configured(configured(), {"runpod", std::nullopt});
  EffectResult ok{{{"status", 200}, {"headers", Json::array()}},
                  R"({"id":"abc-e1","status":"COMPLETED","output":"u"})"};
  CHECK(provider->status_reply(ok, "abc-e1").state->provider_status == "COMPLETED");
  EffectResult refused{{{"status", 404}, {"headers", Json::array()}}, R"({"id":"abc-e1","status":"COMPLETED"})"};
  CHECK_FALSE(provider->status_reply(refused, "abc-e1").state);
  EffectResult unreachable{{{"error", {{"code", "network"}}}}, ""};
  CHECK_FALSE(provider->status_reply(unreachable, "abc-e1").state);

  // A completed job whose output is too large to read: failed (and so refunded), saying why.
  EffectResult huge{{{"error", {{"code", "too_large"}, {"status", 200}}}}, ""};
  auto failed = provider->status_reply(huge, "abc-e1").state;
  REQUIRE(failed);
  CHECK(failed->id == "abc-e1");
  CHECK(failed->provider_status == "FAILED");
  CHECK(failed->body["error"] == "output_too_large");
  CHECK(failed->status == "failed");
  // Only RunPod's answer is read so: an error page too large to read is no job state.
  EffectResult huge_error{{{"error", {{"code", "too_large"}, {"status", 502}}}}, ""};
  CHECK_FALSE(provider->status_reply(huge_error, "abc-e1").state);
}

TEST_CASE("RunPod behind the Provider interface: the registry, our statuses, unreachable, outputs", "[runpod]") {
  CHECK_FALSE(providers::configured(Config{}, {"runpod", std::nullopt}));
  CHECK_FALSE(providers::configured(configured(), {"elsewhere", std::nullopt}));
  auto provider = providers::configured(configured("http://rp.test"), {"runpod", "ep-model"});
  REQUIRE(provider);
  CHECK(provider->name() == "runpod");
  CHECK(provider->status_request("abc")->url == "http://rp.test/ep-model/status/abc");
  CHECK(provider->cancel_request("abc")->url == "http://rp.test/ep-model/cancel/abc");
  auto submit = provider->submit_request(Json{{"prompt", "a cat"}}, "https://api.test/cb");
  CHECK(submit.url == "http://rp.test/ep-model/run");
  CHECK(parse_json(*submit.body)->at("webhook") == "https://api.test/cb");

  EffectResult queued{{{"status", 200}, {"headers", Json::array()}}, R"({"id":"abc","status":"IN_QUEUE"})"};
  auto accepted = provider->submit_reply(queued);
  REQUIRE(accepted);
  CHECK(accepted->provider_status == "IN_QUEUE");
  CHECK(accepted->status == "submitted");
  EffectResult refused{{{"status", 401}, {"headers", Json::array()}}, R"({"id":"abc","status":"IN_QUEUE"})"};
  CHECK_FALSE(provider->submit_reply(refused));

  // unreachable: ask again later; a 4xx is an answer (no state), not an outage
  for (int status : {0, 429, 500, 503}) {
    EffectResult reply{{{"status", status}, {"headers", Json::array()}}, ""};
    if (status == 0) reply = EffectResult{{{"error", {{"code", "network"}}}}, ""};
    CHECK(provider->status_reply(reply, "abc").unreachable);
  }
  CHECK_FALSE(provider->status_reply(refused, "abc").unreachable);

  auto unknown = provider->parse_callback(R"({"id":"abc","status":"RETRYING"})");
  REQUIRE(unknown);
  CHECK_FALSE(unknown->status);
  auto done = provider->parse_callback(R"({"id":"abc","status":"COMPLETED","output":{"image_url":"u"}})");
  REQUIRE(done);
  CHECK(done->status == "completed");
  CHECK(provider->output(*done) == Json{{"image_url", "u"}});
  CHECK(provider->output(*provider->parse_callback(R"({"id":"abc","status":"COMPLETED"})")).is_null());
  CHECK(provider->max_callback_bytes() == runpod::kMaxReplyBytes);
}
