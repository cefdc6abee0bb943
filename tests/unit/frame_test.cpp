#include <catch2/catch.hpp>

#include "abi/entry.hpp"
#include "abi/frame.hpp"
#include "api/app.hpp"
#include "core/log.hpp"
#include "support/driver.hpp"

using namespace ag;

TEST_CASE("frames carry JSON and a blob section", "[abi]") {
  std::string bytes = abi::encode_frame({{"a", 1}}, std::string("\0\xff\x01", 3));
  CHECK(bytes.substr(0, 4) == std::string("\x07\0\0\0", 4));
  auto frame = abi::decode_frame(bytes);
  REQUIRE(frame);
  CHECK(frame->json == Json{{"a", 1}});
  CHECK(frame->blobs == std::string("\0\xff\x01", 3));
}

TEST_CASE("malformed frames are refused", "[abi]") {
  CHECK_FALSE(abi::decode_frame(""));
  CHECK_FALSE(abi::decode_frame(std::string("\x05\0\0", 3)));
  CHECK_FALSE(abi::decode_frame(std::string("\x09\0\0\0{}", 6)));         // length overruns
  CHECK_FALSE(abi::decode_frame(std::string("\x02\0\0\0[]", 6)));         // not an object
  CHECK_FALSE(abi::decode_frame(std::string("\x03\0\0\0{x}", 7)));        // not JSON
  CHECK_FALSE(abi::decode_frame(std::string("\x04\0\0\0\"\xff\"x", 8)));  // invalid UTF-8
}

TEST_CASE("frames may nest a stored document a few levels below their own", "[abi]") {
  Json value = 1;
  for (int level = 0; level < kMaxJsonDepth; ++level) value = Json::array({value});
  Json row = {{"value", value}};
  Json result = {{"rows", Json::array({row})}};
  CHECK(abi::decode_frame(abi::encode_frame({{"results", Json::array({result})}})));  // 5 levels up
  for (int level = kMaxJsonDepth; level < abi::kMaxFrameDepth; ++level) value = Json::array({value});
  CHECK_FALSE(abi::decode_frame(abi::encode_frame({{"value", value}})));
}

TEST_CASE("the entry refuses work before init and bad frames after", "[abi]") {
  api::App app;
  abi::Entry entry(app);
  CHECK(testing::decode_output(entry.start(abi::encode_frame({{"kind", "fetch"}})))["error"] == "bad_frame");
  CHECK(testing::decode_output(entry.init(abi::encode_frame({{"nope", 1}})))["error"] == "bad_frame");
  CHECK(testing::decode_output(entry.init(abi::encode_frame({{"env", Json::object()}})))["abi"] == abi::kVersion);
  CHECK(testing::decode_output(entry.start("garbage"))["error"] == "bad_frame");
  CHECK(testing::decode_output(entry.resume(abi::encode_frame({{"task", 9}, {"results", Json::array()}})))["error"] ==
        "unknown_task");
}

TEST_CASE("log entries leave the core with the answer of the call that wrote them", "[abi]") {
  log::set_sink({});  // the default: kept for the entry, as in the Worker
  api::App app;
  abi::Entry entry(app);
  CHECK_FALSE(testing::decode_output(entry.init(abi::encode_frame({{"env", Json::object()}}))).contains("logs"));
  Json start = {
      {"kind", "fetch"},
      {"now", 1'700'000'000'000},
      {"request", {{"method", "GET"}, {"url", "http://x/health"}, {"headers", Json::array()}, {"has_body", false}}}};
  Json step = testing::decode_output(entry.start(abi::encode_frame(start)));
  log::set_sink([](Json) {});
  CHECK(step["response"]["status"] == 200);
  REQUIRE(step["logs"].size() == 1);
  CHECK(step["logs"][0]["msg"] == "request");
  CHECK(step["logs"][0]["route"] == "/health");
  CHECK(step["logs"][0]["status"] == 200);
  CHECK(log::take().empty());  // taken with the step, not left behind
}
