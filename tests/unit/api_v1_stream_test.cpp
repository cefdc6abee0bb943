// POST /v1/chat/completions with `stream: true` on a model whose provider streams (OpenAI's
// chat): the job is recorded before the provider is called, the provider's pieces are passed on
// as this API's chunks as they come, and the job is recorded as it ended before [DONE]; a stream
// that breaks off fails the job; a client that goes away leaves its job to be cancelled.
#include <catch2/catch.hpp>

#include "support/driver.hpp"
#include "support/sse.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {

const std::string kJob = "0b5c2a4e-1f3d-4e55-9a61-7c2f0e9d8b11";
const std::string kUser = "2d0f8c6a-5b1e-4c3a-9f7d-6e4b3a2c1d0e";
const Driver::Env kEnv = {{"SUPABASE_JWT_SECRET", test::kJwtSecret},
                          {"OPENAI_API_KEY", "sk-test"},
                          {"OPENAI_API_BASE", "http://openai.test/v1"}};

std::string sse(const std::string& data) { return "data: " + data + "\n\n"; }
std::string content(const std::string& text) {
  return sse(R"({"id":"chatcmpl-up","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":")" +
             text + R"("},"finish_reason":null}]})");
}
const std::string kStop = sse(R"({"id":"chatcmpl-up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
const std::string kUsage =
    sse(R"({"id":"chatcmpl-up","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})");

/// One streamed chat: the provider's reply head, then its body's pieces, one per body.read.
struct Script {
  std::string body = R"({"model":"gpt-chat","messages":[{"role":"user","content":"hi"}],"stream":true,)"
                     R"("stream_options":{"include_usage":true}})";
  Json head = {{"status", 200}, {"headers", Json::array({Json::array({"x-request-id", "req_up"})})}, {"handle", 7}};
  std::vector<Reply> pieces = {Reply{Json::object(), content("Hel") + content("lo")},
                               Reply{Json::object(), kStop + kUsage + "data: [DONE]\n\n"}};

  Responder responder() {
    return [this, next = std::size_t{0}](const Json& effect) mutable {
      if (is_catalog(effect))
        return catalog(Json::array({model_row("gpt-chat", "openai", "text", false, {{"base", 1}})}));
      if (is_sql(effect, "select c.*, m.id as model_id, m.provider"))
        return rows(Json::array({{{"outcome", "created"},
                                  {"job_id", kJob},
                                  {"status", "queued"},
                                  {"cost_credits", 1},
                                  {"balance", "9"},
                                  {"model_id", "gpt-chat"},
                                  {"model_provider", "openai"},
                                  {"model_provider_model", "gpt-4o-mini"},
                                  {"model_content_type", "text"}}}));
      if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job"))
        return rows(Json::array({{{"applied", true}, {"status", effect["params"][1]}, {"refunded", 0}}}));
      if (effect["op"] == "fetch") return Reply{head};
      if (effect["op"] == "body.read") return next < pieces.size() ? pieces[next++] : Reply{{{"done", true}}};
      if (effect["op"] == "r2.put") return Reply{{{"key", effect["key"]}, {"size", 5}, {"etag", "e"}, {"uploaded", 1}}};
      if (is_sql(effect, "select payload->'terms'")) return rows(Json::array());
      FAIL("unexpected effect " << dump(effect));
      return Reply{};
    };
  }
};

RequestSpec chat(const std::string& body) {
  return {"POST", "/v1/chat/completions", {test::user_auth(kUser), {"content-type", "application/json"}}, true, body};
}

/// The ops of `out`'s effects in order, the SQL that moves the job named (transition_job's with
/// its status); other SQL (the catalog, the job's terms) and fire-and-forget effects left out.
std::vector<std::string> sequence(const Outcome& out) {
  std::vector<std::string> ops;
  for (const Json& effect : out.effects) {
    std::string op = effect["op"];
    if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job"))
      op = "transition:" + effect["params"][1].get<std::string>();
    else if (is_sql(effect, "select c.*, m.id as model_id"))
      op = "create_job";
    else if (op == "sql" || op == "wait_until")
      continue;
    ops.push_back(op);
  }
  return ops;
}

}  // namespace

TEST_CASE("a streamed chat passes each piece on as it comes and records the job before [DONE]", "[v1][stream]") {
  Driver driver(kEnv);
  Script script;
  Outcome out = driver.run(chat(script.body), script.responder());
  CHECK(out.status() == 200);
  CHECK(out.header("content-type") == "text/event-stream; charset=utf-8");
  CHECK(out.response["body"] == Json{{"stream", true}});
  // The job is created (credits reserved) before the provider is called, submitted on its
  // reply's head, and completed after the last piece, before the usage and [DONE] go out.
  CHECK(sequence(out) == std::vector<std::string>{"create_job", "fetch", "transition:submitted", "body.read",
                                                  "stream.write", "body.read", "stream.write", "r2.put",
                                                  "transition:completed", "stream.write"});
  const Json* fetch = nullptr;
  for (const Json& effect : out.effects)
    if (effect["op"] == "fetch") fetch = &effect;
  REQUIRE(fetch);
  CHECK(fetch->at("stream") == true);
  CHECK(fetch->at("url") == "http://openai.test/v1/chat/completions");
  Json sent = Json::parse(fetch->at("body").get<std::string>());
  CHECK(sent["stream"] == true);
  CHECK(sent["stream_options"]["include_usage"] == true);
  CHECK(sent["model"] == "gpt-4o-mini");

  std::vector<std::string> data = test::sse_data(out.streamed);
  REQUIRE(data.size() == 6);
  Json role = Json::parse(data[0]);
  CHECK(role["id"] == "chatcmpl-" + kJob);
  CHECK(role["model"] == "gpt-chat");
  CHECK(role["choices"][0]["delta"]["role"] == "assistant");
  CHECK(Json::parse(data[1])["choices"][0]["delta"]["content"] == "Hel");
  CHECK(Json::parse(data[2])["choices"][0]["delta"]["content"] == "lo");
  CHECK(Json::parse(data[3])["choices"][0]["finish_reason"] == "stop");
  CHECK(Json::parse(data[4])["usage"]["total_tokens"] == 5);
  CHECK(data[5] == "[DONE]");

  // What the job records: the whole text as its output file, the provider's usage as its result.
  for (const Json& effect : out.effects) {
    if (effect["op"] == "r2.put") CHECK(effect["body"]["data"] == "SGVsbG8=");
    if (is_sql(effect, "select applied, status, refunded, charged_credits from public.transition_job") &&
        effect["params"][1] == "completed") {
      Json fields = Json::parse(effect["params"][3].get<std::string>());
      CHECK(fields["result"]["usage"]["completion_tokens"] == 2);
      CHECK(fields["result"]["choices"][0]["message"]["content"] == "Hello");
      CHECK(fields["provider_job_id"] == "req_up");
    }
  }
  CHECK(driver.live_tasks() == 0);
}

TEST_CASE("a stream that breaks off fails the job, refunded, and ends with an OpenAI error event", "[v1][stream]") {
  Driver driver(kEnv);
  Script script;
  SECTION("the provider's error event") {
    script.pieces = {Reply{Json::object(), content("Hel") + sse(R"({"error":{"message":"overloaded"}})")}};
  }
  SECTION("a read that fails") {
    script.pieces = {Reply{Json::object(), content("Hel")},
                     Reply{{{"error", {{"code", "network"}, {"message", "reset"}}}}}};
  }
  SECTION("a body that ends without [DONE]") { script.pieces = {Reply{Json::object(), content("Hel")}}; }
  Outcome out = driver.run(chat(script.body), script.responder());
  CHECK(out.status() == 200);
  std::vector<std::string> ops = sequence(out);
  CHECK(ops.back() == "stream.write");
  CHECK(ops[ops.size() - 2] == "transition:failed");
  CHECK(std::count(ops.begin(), ops.end(), "r2.put") == 0);
  std::vector<std::string> data = test::sse_data(out.streamed);
  Json error = Json::parse(data.back());
  CHECK(error["error"]["code"] == "generation_failed");
  CHECK(error["error"]["type"] == "server_error");
  CHECK(error["error"]["job_id"] == kJob);
  CHECK(std::find(data.begin(), data.end(), "[DONE]") == data.end());
}

TEST_CASE("a provider that refuses the streamed call is a 502 in OpenAI's shape, the job refunded", "[v1][stream]") {
  Driver driver(kEnv);
  Script script;
  script.head = {{"status", 429}, {"headers", Json::array()}};
  Outcome out = driver.run(chat(script.body), script.responder());
  CHECK(out.status() == 502);
  CHECK(out.json()["error"]["code"] == "provider_error");
  CHECK(out.json()["error"]["job_id"] == kJob);
  CHECK(sequence(out) == std::vector<std::string>{"create_job", "fetch", "transition:error"});
}

TEST_CASE("a client that goes away mid-stream leaves its job to be cancelled", "[v1][stream]") {
  Driver driver(kEnv);
  Script script;
  SECTION("the shim cancels the task: the cancel hands over the job that cancels it") {
    driver.cancel_stream_after(1);
    Outcome out = driver.run(chat(script.body), script.responder());
    REQUIRE(out.background.size() == 1);
    CHECK(out.background[0]["name"] == "abandoned_stream");
    CHECK(out.background[0]["job_id"] == kJob);
    CHECK(driver.live_tasks() == 0);
    Outcome tidy = driver.background(out.background[0], script.responder());
    CHECK(sequence(tidy) == std::vector<std::string>{"transition:cancelled"});
  }
  SECTION("a write finds the client gone") {
    driver.close_stream_after(0);
    Outcome out = driver.run(chat(script.body), script.responder());
    std::vector<std::string> ops = sequence(out);
    CHECK(ops.back() == "transition:cancelled");
    CHECK(out.background.empty());
  }
}
