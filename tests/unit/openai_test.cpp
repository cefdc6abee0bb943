// OpenAI-compatible APIs behind the Provider interface (docs/protocols.md "OpenAI-compatible").
#include <catch2/catch.hpp>

#include "core/effects.hpp"
#include "crypto/encoding.hpp"
#include "providers/openai.hpp"
#include "providers/registry.hpp"

using namespace ag;

namespace {

Config configured() {
  Config config;
  config.set("OPENAI_API_KEY", "sk-test");
  config.set("OPENAI_API_BASE", "http://openai.test/v1/");
  return config;
}

std::unique_ptr<providers::Provider> openai_for(std::string model, std::string content_type) {
  return providers::configured(configured(), {"openai", std::nullopt, std::move(model), std::move(content_type)});
}

EffectResult reply(int status, std::string body, Json extra = Json::object()) {
  Json headers = Json::array({Json::array({"x-request-id", "req_123"})});
  EffectResult result{{{"status", status}, {"headers", headers}}, std::move(body)};
  for (auto& [key, value] : extra.items()) result.value[key] = value;
  return result;
}

}  // namespace

TEST_CASE("OpenAI is configured by its key; the base defaults to OpenAI's", "[openai]") {
  CHECK_FALSE(openai::settings(Config{}));
  Config key_only;
  key_only.set("OPENAI_API_KEY", "sk-test");
  REQUIRE(openai::settings(key_only));
  CHECK(openai::settings(key_only)->api_base == "https://api.openai.com/v1");
  CHECK(openai::settings(configured())->api_base == "http://openai.test/v1");
  CHECK(providers::accepting(key_only) == std::vector<std::string>{"runpod", "openai"});
  CHECK(openai::serves("text"));
  CHECK(openai::serves("image"));
  CHECK(openai::serves("audio"));
  CHECK_FALSE(openai::serves("video"));
}

TEST_CASE("an OpenAI model answers within its submission: nothing to poll, cancel or be called about", "[openai]") {
  auto provider = openai_for("gpt-image-1", "image");
  REQUIRE(provider);
  CHECK(provider->synchronous());
  CHECK_FALSE(provider->status_request("req_1"));
  CHECK_FALSE(provider->cancel_request("req_1"));
  CHECK_FALSE(provider->parse_callback(R"({"id":"x","status":"completed"})"));
}

TEST_CASE("an image is a generation whose b64_json files the reply stores; only the caller's fields go", "[openai]") {
  auto provider = openai_for("gpt-image-1", "image");
  Json input = {{"prompt", "a fox"}, {"model", "our-id"}, {"n", 2}, {"output_format", "webp"}};
  effect::FetchSpec spec = provider->submit_request(input, "https://api.example/webhooks/openai/j?token=t");
  CHECK(spec.method == "POST");
  CHECK(spec.url == "http://openai.test/v1/images/generations");
  CHECK(spec.headers[0] == std::pair<std::string, std::string>{"authorization", "Bearer sk-test"});
  CHECK(Json::parse(*spec.body) ==
        Json{{"model", "gpt-image-1"}, {"prompt", "a fox"}, {"n", 2}, {"output_format", "webp"}});
  REQUIRE(spec.store);
  CHECK(spec.store->json_items == "data");
  CHECK(spec.store->json_field == "b64_json");
  CHECK(spec.store->content_type == "image/webp");
  CHECK(spec.store->extension == ".webp");
  CHECK(openai_for("gpt-image-1", "image")->submit_request({{"prompt", "x"}}, "").store->extension == ".png");

  Json stored =
      Json::array({{{"key", "outputs/u/j/1.webp"}, {"size", 10}, {"etag", "e"}, {"content_type", "image/webp"}}});
  auto state = provider->submit_reply(reply(200, R"({"created":1,"data":[{}]})", {{"stored", stored}}));
  REQUIRE(state);
  CHECK(state->status == "completed");
  CHECK(state->id == "req_123");
  CHECK(state->files == Json::array({{{"key", "outputs/u/j/1.webp"}, {"size", 10}, {"content_type", "image/webp"}}}));
  CHECK(provider->output(*state) == Json::array({Json::object()}));

  auto linked = provider->submit_reply(reply(200, R"({"created":1,"data":[{"url":"https://cdn.test/a.png"}]})"));
  REQUIRE(linked);
  CHECK(provider->output(*linked) == Json::array({{{"url", "https://cdn.test/a.png"}}}));
}

TEST_CASE("speech sends the prompt as input with a voice; the whole reply is the file", "[openai]") {
  auto provider = openai_for("tts-1", "audio");
  effect::FetchSpec spec = provider->submit_request({{"prompt", "hello"}, {"response_format", "wav"}}, "");
  CHECK(spec.url == "http://openai.test/v1/audio/speech");
  CHECK(Json::parse(*spec.body) ==
        Json{{"model", "tts-1"}, {"input", "hello"}, {"voice", "alloy"}, {"response_format", "wav"}});
  REQUIRE(spec.store);
  CHECK(spec.store->json_items.empty());
  CHECK(spec.store->extension == ".wav");
  CHECK(Json::parse(*provider->submit_request({{"prompt", "hi"}, {"voice", "nova"}}, "").body)["voice"] == "nova");

  auto state = provider->submit_reply(reply(200, "", {{"stored", Json::array({{{"key", "k"}}})}}));
  REQUIRE(state);
  CHECK(state->files.size() == 1);
  CHECK(provider->output(*state).is_null());
}

TEST_CASE("a chat completion's text is its output file; refusals and failures are not accepted", "[openai]") {
  auto provider = openai_for("gpt-4o-mini", "text");
  effect::FetchSpec spec = provider->submit_request({{"prompt", "hi"}}, "");
  CHECK(spec.url == "http://openai.test/v1/chat/completions");
  CHECK_FALSE(spec.store);
  CHECK(spec.max_bytes == openai::kMaxTextReplyBytes);
  CHECK(Json::parse(*spec.body) ==
        Json{{"model", "gpt-4o-mini"}, {"messages", Json::array({{{"role", "user"}, {"content", "hi"}}})}});

  auto state = provider->submit_reply(
      reply(200, R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"héllo"}}]})"));
  REQUIRE(state);
  CHECK(provider->output(*state) == "data:text/plain;base64," + crypto::base64_encode("héllo"));

  CHECK_FALSE(provider->submit_reply(reply(400, R"({"error":{"message":"no","type":"invalid_request_error"}})")));
  CHECK_FALSE(provider->submit_reply(reply(429, R"({"error":{"message":"slow down"}})")));
  CHECK_FALSE(provider->submit_reply(reply(200, "not json")));
  EffectResult timed_out{{{"error", {{"code", "timeout"}, {"message", "late"}}}}, ""};
  CHECK_FALSE(provider->submit_reply(timed_out));
}

TEST_CASE("a fetch's store and a queue message travel as the ABI says", "[openai]") {
  effect::FetchSpec spec;
  spec.url = "http://x.test/";
  spec.store = effect::ReplyFiles{"outputs/u/j/", ".png", "image/png", "data", "b64_json", 1024};
  Json fetch = effect::fetch(spec);
  CHECK(fetch["store"] == Json{{"key_prefix", "outputs/u/j/"},
                               {"extension", ".png"},
                               {"max_bytes", 1024},
                               {"content_type", "image/png"},
                               {"json", {{"items", "data"}, {"field", "b64_json"}}}});
  spec.store = effect::ReplyFiles{"p/", ".mp3", "", "", "", 5};
  CHECK(effect::fetch(spec)["store"] == Json{{"key_prefix", "p/"}, {"extension", ".mp3"}, {"max_bytes", 5}});
  CHECK(effect::queue_send("JOBS", {{"job_id", "j"}}) ==
        Json{{"op", "queue.send"}, {"queue", "JOBS"}, {"body", {{"job_id", "j"}}}});
}

TEST_CASE("what a completion or an image used is read into the pricing's meters", "[openai][usage]") {
  auto chat = openai_for("gpt-4o-mini", "text");
  auto completed = chat->submit_reply(reply(
      200,
      R"({"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":812,"total_tokens":824,"completion_tokens_details":{"reasoning_tokens":0}}})"));
  REQUIRE(completed);
  CHECK(chat->usage(*completed) == Json{{"input_tokens", 12}, {"output_tokens", 812}, {"total_tokens", 824}});

  auto image = openai_for("gpt-image-1", "image");
  auto drawn = image->submit_reply(
      reply(200, R"({"created":1,"data":[],"usage":{"input_tokens":50,"output_tokens":4160,"total_tokens":4210}})"));
  REQUIRE(drawn);
  CHECK(image->usage(*drawn) == Json{{"input_tokens", 50}, {"output_tokens", 4160}, {"total_tokens", 4210}});

  // nothing reported, or nothing that counts: every meter stays at its bound
  auto bare = chat->submit_reply(reply(200, R"({"id":"c","choices":[]})"));
  REQUIRE(bare);
  CHECK(chat->usage(*bare) == Json::object());
  auto odd = chat->submit_reply(reply(200, R"({"id":"c","usage":{"completion_tokens":-5,"prompt_tokens":"12"}})"));
  REQUIRE(odd);
  CHECK(chat->usage(*odd) == Json::object());
}
