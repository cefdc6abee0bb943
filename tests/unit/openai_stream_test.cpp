// Reading an OpenAI chat completion's event stream (stream: true) as it arrives, in pieces cut
// anywhere, into the deltas to pass on and the completion it adds up to.
#include <catch2/catch.hpp>

#include "providers/openai.hpp"
#include "providers/openai_stream.hpp"
#include "providers/registry.hpp"

using namespace ag;

namespace {

const std::string kStream =
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"Hé\"},\"finish_reason\":null}]}\n\n"
    ": a comment between events\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"llo\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
    "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}\n\n"
    "data: [DONE]\n\n";

/// Every delta `stream` yields for `text` fed in pieces of `size` bytes.
std::vector<openai::ChatDelta> feed_in_pieces(openai::ChatStream& stream, const std::string& text, std::size_t size) {
  std::vector<openai::ChatDelta> all;
  for (std::size_t at = 0; at < text.size(); at += size)
    for (openai::ChatDelta& delta : stream.feed(std::string_view(text).substr(at, size))) all.push_back(delta);
  return all;
}

}  // namespace

TEST_CASE("a chat stream's text deltas and finish come out as whole events, however the bytes are cut",
          "[openai][stream]") {
  for (std::size_t size : {1, 3, 7, 64, 100000}) {
    openai::ChatStream stream;
    auto deltas = feed_in_pieces(stream, kStream, size);
    REQUIRE(deltas.size() == 3);
    CHECK(deltas[0].content == "Hé");
    CHECK(deltas[1].content == "llo");
    CHECK(deltas[2].content.empty());
    CHECK(deltas[2].finish_reason == "stop");
    CHECK(stream.finished());
    CHECK(stream.error().is_null());
    Json completion = stream.completion();
    CHECK(completion["id"] == "chatcmpl-9");
    CHECK(completion["object"] == "chat.completion");
    CHECK(completion["choices"][0]["message"] == Json{{"role", "assistant"}, {"content", "Héllo"}});
    CHECK(completion["choices"][0]["finish_reason"] == "stop");
    CHECK(completion["usage"]["total_tokens"] == 6);
  }
}

TEST_CASE("a chat stream that reports an error, or stops before [DONE], is not finished", "[openai][stream]") {
  openai::ChatStream failed;
  failed.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n");
  failed.feed("data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n");
  CHECK_FALSE(failed.finished());
  CHECK(failed.error()["message"] == "The server had an error");

  openai::ChatStream event_error;
  event_error.feed("event: error\ndata: {\"message\":\"overloaded\"}\n\n");
  CHECK(event_error.error()["message"] == "overloaded");

  openai::ChatStream cut;
  cut.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]}\n\ndata: {\"cho");
  CHECK_FALSE(cut.finished());
  CHECK(cut.error().is_null());

  openai::ChatStream garbled;
  garbled.feed("data: not json\n\n");
  CHECK(garbled.error()["code"] == "malformed_stream");
}

TEST_CASE("an OpenAI chat streams: stream with include_usage; images and speech do not", "[openai][stream]") {
  Config config;
  config.set("OPENAI_API_KEY", "sk-test");
  config.set("OPENAI_API_BASE", "http://openai.test/v1");
  auto chat = providers::configured(config, {"openai", std::nullopt, std::string("gpt-x"), std::string("text")});
  auto spec = chat->stream_request({{"prompt", "hi"}, {"max_tokens", 5}});
  REQUIRE(spec);
  CHECK(spec->stream);
  CHECK(spec->url == "http://openai.test/v1/chat/completions");
  Json body = Json::parse(*spec->body);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"] == Json{{"include_usage", true}});
  CHECK(body["max_tokens"] == 5);
  CHECK(body["messages"][0]["content"] == "hi");
  CHECK(effect::fetch(*spec)["stream"] == true);

  auto image = providers::configured(config, {"openai", std::nullopt, std::string("gpt-image"), std::string("image")});
  CHECK_FALSE(image->stream_request({{"prompt", "a cat"}}));
  auto runpod_config = Config{};
  runpod_config.set("RUNPOD_API_KEY", "k");
  runpod_config.set("RUNPOD_ENDPOINT_ID", "ep");
  auto runpod = providers::configured(runpod_config, {"runpod", std::string("ep"), std::nullopt, std::string("text")});
  REQUIRE(runpod);
  CHECK_FALSE(runpod->stream_request({{"prompt", "hi"}}));
}
