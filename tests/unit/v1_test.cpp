// The OpenAI-compatible surface's translations (src/v1): OpenAI's request bodies as jobs, and
// this API's errors in OpenAI's shape with the retry advice its clients obey.
#include <catch2/catch.hpp>

#include "support/sse.hpp"
#include "v1/errors.hpp"
#include "v1/replies.hpp"
#include "v1/requests.hpp"

using namespace ag;

namespace {

Json parsed(const std::string& text) { return Json::parse(text); }

/// An error answer of this API, rewritten as /v1 answers it.
Response rewritten(int status, Json body, Headers headers = {}) {
  Response response = json_response(status, body);
  for (auto& [name, value] : headers) response.set_header(name, value);
  v1::as_openai_error(response);
  return response;
}

}  // namespace

TEST_CASE("a chat's messages become the job's prompt; its parameters, the job's input", "[v1]") {
  auto one = v1::chat_job(parsed(R"({"model":"local-text","messages":[{"role":"user","content":"a haiku"}],
    "max_completion_tokens":64,"temperature":0.5,"user":"u-1","n":1,"stream":false})"));
  REQUIRE(one.problem.empty());
  CHECK(one.body == parsed(R"({"model":"local-text","prompt":"a haiku","input":{"max_tokens":64,"temperature":0.5}})"));

  auto talk = v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"system","content":"be brief"},
    {"role":"user","content":[{"type":"text","text":"hi"},{"type":"text","text":"there"}]}]})"));
  REQUIRE(talk.problem.empty());
  CHECK(talk.body["prompt"] == "system: be brief\n\nuser: hi\nthere");

  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[]})")).problem == "messages must be a non-empty list");
  CHECK(v1::chat_job(parsed(R"({"messages":[{"role":"user","content":"x"}]})")).problem.find("model") == 0);
  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,
    "stream_options":{"include_usage":true}})"))
            .body == parsed(R"({"model":"m","prompt":"x","input":{}})"));
  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})")).problem ==
        "stream must be true or false");
  CHECK(
      v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":1})")).problem ==
      "stream_options must be an object");
  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2})")).problem.find("n ") ==
        0);
  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]})"))
            .problem.find("each message") == 0);
  CHECK(v1::chat_job(parsed(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "max_tokens":1,"max_completion_tokens":2})"))
            .problem == "give only one of the parameters that set max_tokens");
}

TEST_CASE("an image call's n and size reach the model's inputs; it answers url or b64_json", "[v1]") {
  auto four = v1::image_job(parsed(R"({"model":"flux","prompt":"a fox","n":4,"size":"1024x1024","steps":8})"));
  REQUIRE(four.problem.empty());
  CHECK(four.body ==
        parsed(R"({"model":"flux","prompt":"a fox","input":{"num_outputs":4,"size":"1024x1024","steps":8}})"));
  auto one = v1::image_job(parsed(R"({"model":"flux","prompt":"a fox","n":1,"response_format":"url"})"));
  CHECK(one.body["input"] == Json::object());
  auto inline_images = v1::image_job(parsed(R"({"model":"flux","prompt":"a fox","response_format":"b64_json"})"));
  CHECK(inline_images.problem.empty());
  CHECK(inline_images.body["input"] == Json::object());
  CHECK(v1::image_job(parsed(R"({"model":"flux","prompt":"a fox","response_format":"svg"})"))
            .problem.find("response_format") == 0);
  CHECK(v1::image_job(parsed(R"({"model":"flux"})")).problem == "prompt must be a string");
}

TEST_CASE("speech speaks its input", "[v1]") {
  auto speech = v1::speech_job(parsed(R"({"model":"tts","input":"hello","voice":"alloy","speed":1.5})"));
  REQUIRE(speech.problem.empty());
  CHECK(speech.body == parsed(R"({"model":"tts","prompt":"hello","input":{"voice":"alloy","speed":1.5}})"));
  CHECK(v1::speech_job(parsed(R"({"model":"tts","text":"hello"})")).problem == "input must be the text to speak");
}

TEST_CASE("errors take OpenAI's shape; only those a retry may mend invite one", "[v1]") {
  auto broke = rewritten(402, {{"ok", false},
                               {"error", "insufficient_credits"},
                               {"message", "not enough credits for this job"},
                               {"balance", 1},
                               {"required", 50}});
  CHECK(broke.status == 429);
  CHECK(parsed(std::get<std::string>(broke.body)) == parsed(R"({"error":{"message":"not enough credits for this job",
    "type":"insufficient_quota","param":null,"code":"insufficient_quota","balance":1,"required":50}})"));
  CHECK(broke.header("x-should-retry") == "false");

  auto late = rewritten(504, {{"ok", false}, {"error", "job_still_running"}, {"message", "m"}, {"job_id", "j"}});
  CHECK(parsed(std::get<std::string>(late.body))["error"]["job_id"] == "j");
  CHECK(parsed(std::get<std::string>(late.body))["error"]["type"] == "server_error");
  CHECK(late.header("x-should-retry") == "false");

  auto busy = rewritten(429, {{"ok", false}, {"error", "rate_limited"}, {"message", "m"}}, {{"retry-after", "60"}});
  CHECK(busy.header("x-should-retry") == "true");
  CHECK(busy.header("retry-after") == "60");
  CHECK(parsed(std::get<std::string>(busy.body))["error"]["type"] == "requests");
  CHECK(rewritten(409, {{"ok", false}, {"error", "conflict"}, {"message", "m"}}).header("x-should-retry") == "true");
  CHECK(rewritten(401, {{"ok", false}, {"error", "unauthorized"}, {"message", "m"}}).header("x-should-retry") ==
        "false");
  CHECK(parsed(std::get<std::string>(
            rewritten(400, {{"ok", false}, {"error", "invalid_input"}, {"message", "m"}}).body))["error"]["type"] ==
        "invalid_request_error");

  Response fine = json_response(200, {{"ok", true}});
  v1::as_openai_error(fine);
  CHECK(std::get<std::string>(fine.body) == R"({"ok":true})");
  CHECK_FALSE(fine.header("x-should-retry"));
}

TEST_CASE("b64_json images are parts the shim writes: the JSON around each held output", "[v1]") {
  const std::vector<Json> held = {{{"handle", 4}, {"content_type", "image/png"}}, {{"handle", 9}}};
  jobs::JobRow job;
  job.id = "j-1";
  ComposedBody body = v1::inline_images(job, held, 1700000000);
  std::string text;
  std::vector<std::int64_t> written;
  for (const ComposedBody::Part& part : body.parts) {
    if (part.base64_of) {
      written.push_back(*part.base64_of);
      text += "QUJD";  // what the shim writes for a held "ABC"
    } else {
      text += part.text;
    }
  }
  CHECK(written == std::vector<std::int64_t>{4, 9});
  CHECK(parsed(text) ==
        parsed(R"({"created":1700000000,"job_id":"j-1","data":[{"b64_json":"QUJD"},{"b64_json":"QUJD"}]})"));
}

TEST_CASE("a streamed chat is OpenAI's chunks: role, the text, the finish, usage when asked, [DONE]", "[v1]") {
  const jobs::JobRow row =
      jobs::JobRow::from(parsed(R"({"id":"j-1","model":"local-text","result":{"usage":{"prompt_tokens":3,
    "completion_tokens":5,"total_tokens":8}}})"));
  Response plain = v1::chat_completion_stream(row, "two lines\nof sea", 1700000000, false);
  CHECK(plain.header("content-type") == "text/event-stream; charset=utf-8");
  std::vector<std::string> data = test::sse_data(std::get<std::string>(plain.body));
  REQUIRE(data.size() == 4);
  CHECK(data.back() == "[DONE]");
  Json role = parsed(data[0]);
  CHECK(role["object"] == "chat.completion.chunk");
  CHECK(role["id"] == "chatcmpl-j-1");
  CHECK(role["job_id"] == "j-1");
  CHECK(role["choices"][0]["delta"]["role"] == "assistant");
  CHECK(parsed(data[1])["choices"][0]["delta"]["content"] == "two lines\nof sea");
  CHECK(parsed(data[1])["choices"][0]["finish_reason"].is_null());
  CHECK(parsed(data[2])["choices"][0]["finish_reason"] == "stop");
  CHECK_FALSE(parsed(data[2]).contains("usage"));

  Response counted = v1::chat_completion_stream(row, "x", 1700000000, true);
  const std::string& with_usage = std::get<std::string>(counted.body);
  auto last = with_usage.rfind("data: {");
  Json usage = parsed(with_usage.substr(last + 6, with_usage.find("\n\n", last) - last - 6));
  CHECK(usage["choices"].empty());
  CHECK(usage["usage"]["total_tokens"] == 8);
}
