#include "support/driver.hpp"

#include <catch2/catch.hpp>

#include "abi/frame.hpp"
#include "core/log.hpp"
#include "support/native_verify.hpp"

namespace ag::testing {

namespace {
// Deterministic "randomness": tests can predict ids without depending on the OS.
void counting_random(std::uint8_t* out, std::size_t size) {
  static std::uint8_t next = 1;
  for (std::size_t i = 0; i < size; ++i) out[i] = next++;
}
}  // namespace

Reply no_effects_expected(const Json& effect) {
  FAIL("unexpected effect: " << dump(effect));
  return {};
}

bool is_sql(const Json& effect, std::string_view prefix) {
  return effect["op"] == "sql" && effect["query"].get<std::string>().rfind(prefix, 0) == 0;
}

bool is_catalog(const Json& effect) {
  return is_sql(effect, "select id, provider, content_type, is_default, revision, input_schema");
}

Json model_row(std::string id, std::string provider, std::string content_type, bool is_default, Json pricing,
               Json input_schema) {
  return {{"id", std::move(id)},
          {"provider", std::move(provider)},
          {"content_type", std::move(content_type)},
          {"is_default", is_default},
          {"revision", "1"},
          {"input_schema", std::move(input_schema)},
          {"input_map", nullptr},
          {"pricing", std::move(pricing)}};
}

Reply catalog(Json models) {
  if (models.empty()) models.push_back(model_row("runpod-video", "runpod", "video", true, {{"base", 1}}));
  return rows(std::move(models));
}

Reply rows(Json list) {
  const std::size_t count = list.size();
  return Reply{{{"rows", std::move(list)}, {"count", count}}};
}

Json decode_output(const std::string& bytes) {
  auto frame = abi::decode_frame(bytes);
  REQUIRE(frame.has_value());
  REQUIRE(frame->blobs.empty());
  return frame->json;
}

int Outcome::status() const { return response.value("status", 0); }

std::optional<std::string> Outcome::header(const std::string& name) const {
  for (const auto& pair : response.value("headers", Json::array())) {
    if (pair[0] == name) return pair[1].get<std::string>();
  }
  return std::nullopt;
}

std::string Outcome::body() const {
  auto it = response.find("body");
  return it != response.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json Outcome::json() const {
  auto parsed = parse_json(body());
  return parsed ? *parsed : Json();
}

Driver::Driver(Env env) : entry_(app_, counting_random) {
  Json vars = Json::object();
  for (const auto& [name, value] : env) vars[name] = value;
  Json ack = decode_output(entry_.init(abi::encode_frame({{"env", vars}})));
  REQUIRE(ack.value("ok", false));
}

Outcome Driver::run(const RequestSpec& request, const Responder& respond) {
  Json headers = Json::array();
  for (const auto& [name, value] : request.headers) headers.push_back({name, value});
  Json start = {{"kind", "fetch"},
                {"now", now_ms_},
                {"request",
                 {{"method", request.method},
                  {"url", "https://api.test" + request.path},
                  {"headers", headers},
                  {"has_body", request.has_body || request.body.has_value()}}}};
  if (request.body) start["request"]["body"] = {{"blob", {0, request.body->size()}}};
  return drive(start, respond, request.body.value_or(""));
}

Outcome Driver::scheduled(const std::string& cron, const Responder& respond) {
  return drive({{"kind", "scheduled"}, {"now", now_ms_}, {"cron", cron}}, respond);
}

Outcome Driver::background(const Json& job, const Responder& respond) {
  return drive({{"kind", "background"}, {"now", now_ms_}, {"job", job}}, respond);
}

Outcome Driver::drive(const Json& start, const Responder& respond, const std::string& start_blobs) {
  Outcome outcome;
  // Collects the run's log entries; back to dropping them (tests/unit/main.cpp) however it ends.
  log::set_sink([&outcome](Json entry) { outcome.logs.push_back(std::move(entry)); });
  struct DropLogs {
    ~DropLogs() {
      log::set_sink([](Json) {});
    }
  } drop_logs_after;
  Json step = decode_output(entry_.start(abi::encode_frame(start, start_blobs)));
  while (++outcome.steps < kMaxSteps) {
    // A streamed body's head comes with the writer's first effects: the task goes on.
    if (step.contains("response")) outcome.response = step["response"];
    if (step.contains("done") || (step.contains("response") && !step.contains("effects"))) {
      for (const auto& effect : step.value("wait_until", Json::array())) outcome.deferred.push_back(effect);
      for (const auto& job : step.value("background", Json::array())) outcome.background.push_back(job);
      return outcome;
    }
    REQUIRE(step.contains("effects"));
    Json results = Json::array();
    std::string blobs;
    for (const auto& effect : step["effects"]) {
      outcome.effects.push_back(effect);
      if (effect["op"] == "wait_until") outcome.deferred.push_back(effect["effect"]);
      // Like the runtime's WebCrypto, signature checks are always there: no script needed.
      Reply reply = effect["op"] == "wait_until"      ? Reply{}
                    : effect["op"] == "crypto.verify" ? verify_natively(effect)
                    : effect["op"] == "stream.write"  ? stream_write(effect, outcome)
                                                      : respond(effect);
      Json result = reply.value;
      result["id"] = effect["id"];
      if (!reply.body.empty() || result.value("has_body", false)) {
        result.erase("has_body");
        result["body"] = {{"blob", {blobs.size(), reply.body.size()}}};
        blobs += reply.body;
      }
      results.push_back(std::move(result));
    }
    if (cancel_after_writes_ && outcome.writes >= *cancel_after_writes_) {
      Json last = decode_output(entry_.cancel(step["task"].get<std::int64_t>()));
      for (const auto& job : last.value("background", Json::array())) outcome.background.push_back(job);
      return outcome;
    }
    now_ms_ += 5;
    Json resume = {{"task", step["task"]}, {"now", now_ms_}, {"results", results}};
    step = decode_output(entry_.resume(abi::encode_frame(resume, blobs)));
  }
  FAIL("the request did not finish within " << kMaxSteps << " steps");
  return outcome;
}

Reply Driver::stream_write(const Json& effect, Outcome& outcome) {
  if (stream_writes_left_ && (*stream_writes_left_)-- <= 0)
    return Reply{{{"error", {{"code", "closed"}, {"message", "the client has gone"}}}}};
  outcome.streamed += effect.value("data", "");
  ++outcome.writes;
  return {};
}

}  // namespace ag::testing
