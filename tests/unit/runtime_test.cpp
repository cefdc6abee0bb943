// The task/effect runtime, driven through a tiny Application of its own.
#include <catch2/catch.hpp>

#include "core/effects.hpp"
#include "core/runtime.hpp"

using namespace ag;

namespace {

int g_live_frames = 0;
struct FrameCounter {
  FrameCounter() { ++g_live_frames; }
  ~FrameCounter() { --g_live_frames; }
};

Task<int> add_one(Ctx& ctx, int value) {
  FrameCounter counter;
  Json sql = effect::sql("select $1::int + 1 as n", Json::array({value}));
  EffectResult result = co_await ctx.perform(std::move(sql));
  co_return static_cast<int>(result.value["rows"][0]["n"].get<std::int64_t>());
}

Task<> deep_raise(Ctx& ctx) {
  FrameCounter counter;
  co_await ctx.perform(effect::sql("select 1"));
  co_await ctx.raise(errors::forbidden("nested"));
}

/// A streamed body: writes `count` chunks, one per effect, then ends.
Task<> write_chunks(Ctx& ctx, int count) {
  FrameCounter counter;
  ctx.run_if_cancelled({{"name", "tidy"}, {"after", "the client went"}});
  for (int i = 0; i < count; ++i) {
    EffectResult written = co_await ctx.perform(effect::stream_write("chunk " + std::to_string(i) + "\n"));
    if (written.failed()) co_return;
  }
}

/// Routes on the path: each path exercises one runtime behaviour.
class ScriptApp : public Application {
 public:
  Task<Response> handle(Ctx& ctx, Request& request) override {
    FrameCounter counter;
    if (request.path == "/plain") co_return json_response(200, {{"ok", true}});
    if (request.path == "/nested") {
      int a = co_await add_one(ctx, 1);
      int b = co_await add_one(ctx, a);
      co_return json_response(200, {{"value", b}});
    }
    if (request.path == "/both") {
      std::vector<Json> effects{effect::sql("select 1"), effect::r2_head("k")};
      auto results = co_await ctx.perform_all(std::move(effects));
      co_return json_response(200, {{"n", results.size()},
                                    {"first_failed", results[0].failed()},
                                    {"second_code", results[1].error_code()},
                                    {"second_body", results[1].body}});
    }
    if (request.path == "/raise") {
      co_await deep_raise(ctx);
      co_return json_response(200, {{"unreachable", true}});
    }
    if (request.path == "/defer") {
      ctx.wait_until(effect::sql("insert 1"));
      co_await ctx.perform(effect::sql("select 1"));
      ctx.wait_until(effect::sql("insert 2"));
      co_return json_response(200, {{"ok", true}});
    }
    if (request.path == "/follow-up") {
      ctx.run_after({{"name", "echo"}, {"n", 1}});
      co_return json_response(200, {{"ok", true}});
    }
    if (request.path == "/follow-up-then-raise") {
      ctx.run_after({{"name", "echo"}, {"n", 2}});
      co_await ctx.raise(errors::forbidden());
    }
    if (request.path == "/stream" || request.path == "/empty-stream") {
      Response response;
      response.body = StreamedBody{write_chunks(ctx, request.path == "/stream" ? 2 : 0)};
      co_return response;
    }
    co_return json_response(404, {});
  }
  Task<Response> scheduled(Ctx&, std::string cron) override { co_return json_response(200, {{"cron", cron}}); }
  Task<Response> background(Ctx& ctx, Json job) override {
    ran_background.push_back(job);
    co_await ctx.perform(effect::sql("select 1"));
    co_return json_response(200, {});
  }
  std::vector<Json> ran_background;
  void finish(Ctx&, const Request&, Response& response, std::int64_t) override {
    response.set_header("x-finished", "yes");
  }
};

Json start_fetch(Runtime& runtime, const std::string& path) {
  return runtime.start(
      {{"kind", "fetch"}, {"now", 1000}, {"request", {{"method", "GET"}, {"url", "https://x.test" + path}}}});
}

Json result_for(const Json& effect, Json value) {
  value["id"] = effect["id"];
  return value;
}

}  // namespace

TEST_CASE("a task that needs no effect answers in the start step", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/plain");
  REQUIRE(step["response"]["status"] == 200);
  CHECK(step["response"]["body"] == R"({"ok":true})");
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("nested tasks suspend on effects and resume with their results", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/nested");
  REQUIRE(step["effects"].size() == 1);
  CHECK(step["effects"][0]["op"] == "sql");
  CHECK(step["effects"][0]["params"] == Json::array({1}));
  CHECK(runtime.live_tasks() == 1);

  Json reply = {
      {"task", step["task"]}, {"now", 1010}, {"results", {result_for(step["effects"][0], {{"rows", {{{"n", 2}}}}})}}};
  step = runtime.resume(reply, {});
  REQUIRE(step["effects"].size() == 1);
  CHECK(step["effects"][0]["params"] == Json::array({2}));

  reply = {
      {"task", step["task"]}, {"now", 1020}, {"results", {result_for(step["effects"][0], {{"rows", {{{"n", 3}}}}})}}};
  step = runtime.resume(reply, {});
  REQUIRE(step["response"]["status"] == 200);
  CHECK(step["response"]["body"] == R"({"value":3})");
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("several effects at once come back together, failures and blobs included", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/both");
  REQUIRE(step["effects"].size() == 2);
  const Json& sql = step["effects"][0];
  const Json& head = step["effects"][1];
  CHECK(sql["id"] != head["id"]);
  // Results arrive in the other order; the second carries a blob.
  Json reply = {{"task", step["task"]},
                {"now", 1001},
                {"results",
                 {result_for(head, {{"error", {{"code", "network"}}}, {"body", {{"blob", {3, 2}}}}}),
                  result_for(sql, {{"error", {{"code", "42P01"}, {"message", "no table"}}}})}}};
  step = runtime.resume(reply, "xyzab");
  REQUIRE(step["response"]["status"] == 200);
  Json body = *parse_json(step["response"]["body"].get<std::string>());
  CHECK(body["n"] == 2);
  CHECK(body["first_failed"] == true);
  CHECK(body["second_code"] == "network");
  CHECK(body["second_body"] == "ab");
}

TEST_CASE("raise ends the request with the error and frees every frame", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/raise");
  CHECK(g_live_frames == 2);
  step = runtime.resume(
      {{"task", step["task"]}, {"now", 1}, {"results", {result_for(step["effects"][0], {{"rows", Json::array()}})}}},
      {});
  REQUIRE(step["response"]["status"] == 403);
  Json body = *parse_json(step["response"]["body"].get<std::string>());
  CHECK(body == Json{{"ok", false}, {"error", "forbidden"}, {"message", "nested"}});
  CHECK(step["response"]["headers"].dump().find("x-finished") != std::string::npos);
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("wait_until effects leave with the next step and never block", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/defer");
  REQUIRE(step["effects"].size() == 2);
  CHECK(step["effects"][0]["op"] == "sql");
  CHECK(step["effects"][1]["op"] == "wait_until");
  CHECK(step["effects"][1]["effect"]["query"] == "insert 1");
  // The shim answers wait_until with {} at once; only the sql result matters.
  Json reply = {
      {"task", step["task"]},
      {"now", 2},
      {"results",
       {result_for(step["effects"][0], {{"rows", Json::array()}}), result_for(step["effects"][1], Json::object())}}};
  step = runtime.resume(reply, {});
  REQUIRE(step["response"]["status"] == 200);
  REQUIRE(step["wait_until"].size() == 1);
  CHECK(step["wait_until"][0]["query"] == "insert 2");
}

TEST_CASE("results that do not answer the pending effects fail the task with 500", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/both");
  Json task = step["task"];

  SECTION("one missing") {
    step = runtime.resume({{"task", task}, {"now", 1}, {"results", {result_for(step["effects"][0], {})}}}, {});
  }
  SECTION("blob out of range") {
    step = runtime.resume(
        {{"task", task},
         {"now", 1},
         {"results",
          {result_for(step["effects"][0], {{"body", {{"blob", {0, 9}}}}}), result_for(step["effects"][1], {})}}},
        "abc");
  }
  SECTION("not a list") { step = runtime.resume({{"task", task}, {"now", 1}, {"results", 7}}, {}); }
  REQUIRE(step["response"]["status"] == 500);
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("unknown tasks and malformed starts are reported, not crashed on", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  CHECK(runtime.resume({{"task", 42}, {"now", 1}, {"results", Json::array()}}, {})["error"] == "unknown_task");
  CHECK(runtime.start({{"kind", "fetch"}, {"now", 1}})["error"] == "bad_frame");
  CHECK(
      runtime.start({{"kind", "fetch"}, {"now", 1}, {"request", {{"method", "GET"}, {"url", "no-scheme"}}}})["error"] ==
      "bad_frame");
  CHECK(runtime.start({{"kind", "other"}, {"now", 1}})["error"] == "bad_frame");
  CHECK(runtime.start({{"kind", "fetch"}})["error"] == "bad_frame");
  // A body sent with the start frame must name bytes inside its blob section.
  auto with_body = [](Json body, bool has_body) {
    return Json{{"kind", "fetch"},
                {"now", 1},
                {"request", {{"method", "POST"}, {"url", "https://x.test/"}, {"has_body", has_body}, {"body", body}}}};
  };
  CHECK(runtime.start(with_body({{"blob", {0, 4}}}, true), "abc")["error"] == "bad_frame");
  CHECK(runtime.start(with_body({{"blob", {-1, 1}}}, true), "abc")["error"] == "bad_frame");
  CHECK(runtime.start(with_body("abc", true), "abc")["error"] == "bad_frame");
  CHECK(runtime.start(with_body({{"blob", {0, 3}}}, false), "abc")["error"] == "bad_frame");
  CHECK(runtime.live_tasks() == 0);
}

TEST_CASE("a scheduled task ends with done instead of a response", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = runtime.start({{"kind", "scheduled"}, {"now", 5}, {"cron", "*/5 * * * *"}});
  CHECK(step["done"] == true);
  CHECK_FALSE(step.contains("response"));
  CHECK(runtime.live_tasks() == 0);
}

TEST_CASE("run_after hands a background job over with the response, to run as its own task", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json answered = start_fetch(runtime, "/follow-up");
  REQUIRE(answered.contains("response"));
  REQUIRE(answered["background"].size() == 1);
  CHECK(app.ran_background.empty());

  Json step = runtime.start({{"kind", "background"}, {"now", 5}, {"job", answered["background"][0]}});
  REQUIRE(step["effects"].size() == 1);
  Json results = Json::array({result_for(step["effects"][0], {{"rows", Json::array()}})});
  step = runtime.resume({{"task", step["task"]}, {"results", results}}, "");
  CHECK(step["done"] == true);
  CHECK_FALSE(step.contains("response"));
  REQUIRE(app.ran_background.size() == 1);
  CHECK(app.ran_background[0]["n"] == 1);
  CHECK(runtime.live_tasks() == 0);
}

TEST_CASE("a failed task's background jobs are dropped; a background start needs a job object", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json answered = start_fetch(runtime, "/follow-up-then-raise");
  CHECK(answered["response"]["status"] == 403);
  CHECK_FALSE(answered.contains("background"));
  CHECK(runtime.start({{"kind", "background"}, {"now", 5}})["error"] == "bad_frame");
  CHECK(runtime.start({{"kind", "background"}, {"now", 5}, {"job", "echo"}})["error"] == "bad_frame");
  CHECK(runtime.live_tasks() == 0);
}

TEST_CASE("many interleaved tasks keep their own state", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  std::vector<Json> steps;
  for (int i = 0; i < 50; ++i) steps.push_back(start_fetch(runtime, "/nested"));
  CHECK(runtime.live_tasks() == 50);
  for (int round = 0; round < 2; ++round) {
    for (int i = 49; i >= 0; --i) {
      Json& step = steps[static_cast<std::size_t>(i)];
      int n = step["effects"][0]["params"][0].get<int>() + 1 + i * 0;
      step = runtime.resume(
          {{"task", step["task"]}, {"now", 2}, {"results", {result_for(step["effects"][0], {{"rows", {{{"n", n}}}}})}}},
          {});
    }
  }
  for (const auto& step : steps) CHECK(step["response"]["body"] == R"({"value":3})");
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("a fetch reply reads as its HTTP status and headers; no response is status 0", "[runtime]") {
  EffectResult ok{{{"status", 503}, {"headers", Json::array({Json::array({"retry-after", "7"})})}}, ""};
  CHECK(ok.http_status() == 503);
  CHECK(ok.http_header("retry-after") == "7");
  CHECK_FALSE(ok.http_header("content-type"));
  EffectResult unreachable{{{"error", {{"code", "network"}}}}, ""};
  CHECK(unreachable.http_status() == 0);
  CHECK_FALSE(unreachable.http_header("retry-after"));
  EffectResult odd{{{"status", 200}, {"headers", Json::array({"retry-after", Json::array({"retry-after", 7})})}}, ""};
  CHECK_FALSE(odd.http_header("retry-after"));
}

TEST_CASE("a streamed body answers its head with the writer's first effect, then ends with done", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/stream");
  REQUIRE(step["response"]["status"] == 200);
  CHECK(step["response"]["body"] == Json{{"stream", true}});
  CHECK(step["response"]["headers"].dump().find("x-finished") != std::string::npos);  // App::finish ran
  const Json task = step["task"];
  // Each write answered as written: the writer goes on to the next, and ends after the last.
  for (const char* chunk : {"chunk 0\n", "chunk 1\n"}) {
    REQUIRE(step["effects"].size() == 1);
    CHECK(step["effects"][0]["op"] == "stream.write");
    CHECK(step["effects"][0]["data"] == chunk);
    Json results = Json::array({result_for(step["effects"][0], Json::object())});
    step = runtime.resume({{"task", task}, {"now", 1001}, {"results", std::move(results)}}, {});
    CHECK_FALSE(step.contains("response"));
  }
  CHECK(step["done"] == true);
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("a writer that ends before writing answers its head and done in one step", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/empty-stream");
  CHECK(step["response"]["body"] == Json{{"stream", true}});
  CHECK(step["done"] == true);
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("a HEAD of a streamed answer is an ordinary answer without a body", "[runtime]") {
  // The API's App drops HEAD bodies in finish(); this app does it by hand the same way.
  struct HeadApp final : ScriptApp {
    void finish(Ctx& ctx, const Request& request, Response& response, std::int64_t started) override {
      ScriptApp::finish(ctx, request, response, started);
      response.body = std::monostate{};
    }
  } app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/stream");
  CHECK(step["response"]["status"] == 200);
  CHECK_FALSE(step["response"].contains("body"));
  CHECK_FALSE(step.contains("effects"));
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
}

TEST_CASE("cancel ends a streaming task at once and frees every frame", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/stream");
  REQUIRE(step["effects"].size() == 1);
  CHECK(runtime.live_tasks() == 1);
  CHECK(g_live_frames > 0);
  Json last = runtime.cancel(step["task"].get<std::int64_t>());
  CHECK(last["done"] == true);
  CHECK(runtime.live_tasks() == 0);
  CHECK(g_live_frames == 0);
  CHECK(runtime.cancel(step["task"].get<std::int64_t>())["error"] == "unknown_task");
  Json late = runtime.resume({{"task", step["task"]}, {"now", 1001}, {"results", Json::array()}}, {});
  CHECK(late["error"] == "unknown_task");
}

TEST_CASE("a cancelled task hands over what it asked to run without its client; a finished one, nothing", "[runtime]") {
  ScriptApp app;
  Runtime runtime(app, Config{});
  Json step = start_fetch(runtime, "/stream");
  Json last = runtime.cancel(step["task"].get<std::int64_t>());
  REQUIRE(last["background"].size() == 1);
  CHECK(last["background"][0]["name"] == "tidy");
  CHECK(last["background"][0].contains("request_id"));
  CHECK(last["request_id"] == step["request_id"]);

  step = start_fetch(runtime, "/stream");
  for (int i = 0; i < 3 && step.contains("effects"); ++i) {
    Json results = Json::array({result_for(step["effects"][0], Json::object())});
    step = runtime.resume({{"task", step["task"]}, {"now", 1001}, {"results", results}}, {});
  }
  CHECK(step["done"] == true);
  CHECK_FALSE(step.contains("background"));
}
