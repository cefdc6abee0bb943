#include "support/fake_shim.hpp"

#include <cstdlib>
#include <cstdio>

#include "abi/frame.hpp"
#include "core/log.hpp"

namespace ag::fuzz {
namespace {

void counting_random(std::uint8_t* out, std::size_t size) {
  static std::uint8_t next = 1;
  for (std::size_t i = 0; i < size; ++i) out[i] = next++;
}

[[noreturn]] void protocol_error(const char* what, const Json& step) {
  std::fprintf(stderr, "fake shim: %s: %s\n", what, dump(step).c_str());
  std::abort();
}

Json decode(const std::string& bytes) {
  auto frame = abi::decode_frame(bytes);
  if (!frame) protocol_error("undecodable output frame", Json(bytes));
  return frame->json;
}

}  // namespace

void silence_logs() {
  log::set_sink([](Json) {});
}

std::pair<std::string_view, std::string_view> split(std::string_view data, char separator) {
  auto at = data.find(separator);
  if (at == std::string_view::npos) return {data, {}};
  return {data.substr(0, at), data.substr(at + 1)};
}

FakeShim::FakeShim() : entry_(app_, counting_random) {
  silence_logs();
  Json env = {{"APP_ADMIN_TOKEN", "fuzz-admin"},
              {"WEBHOOK_SECRET", "fuzz-webhook"},
              {"SUPABASE_JWT_SECRET", "fuzz-jwt-secret-with-at-least-32-characters"},
              {"SUPABASE_URL", "https://fuzz.supabase.test"},
              {"RUNPOD_API_KEY", "rp"},
              {"RUNPOD_ENDPOINT_ID", "ep"},
              {"RUNPOD_API_BASE", "http://rp.test"},
              {"STRIPE_SECRET_KEY", "sk_test_fuzz"},
              {"STRIPE_WEBHOOK_SECRET", "whsec_fuzz"},
              {"PUBLIC_BASE_URL", "https://api.fuzz.test"}};
  Json ack = decode(entry_.init(abi::encode_frame({{"env", env}})));
  if (!ack.value("ok", false)) protocol_error("init refused", ack);
}

void FakeShim::run(const Json& start, const Answers& answers) {
  auto row = parse_json(answers.row);
  Json rows = row && row->is_object() ? Json::array({*row}) : Json::array();
  Json step = decode(entry_.start(abi::encode_frame(start)));
  for (int steps = 0; steps < 200; ++steps) {
    if (step.contains("error")) return;  // a refused start frame: the shim answers 500
    // A streamed body's head: its client goes away at once, as one may (ag_cancel).
    if (step.contains("response") && step.contains("effects")) entry_.cancel(step["task"].get<std::int64_t>());
    if (step.contains("response") || step.contains("done")) return;
    if (!step.contains("effects") || !step["effects"].is_array()) protocol_error("step without effects", step);
    Json results = Json::array();
    std::string blobs;
    for (const Json& effect : step["effects"]) {
      Json result = {{"id", effect["id"]}};
      const std::string op = effect.value("op", "");
      std::string_view blob;
      if (op == "request.body") {
        blob = answers.body;
      } else if (op == "fetch") {
        result["status"] = answers.fetch_status;
        result["headers"] = Json::array();
        blob = answers.fetched;
      } else if (op == "sql") {
        result["rows"] = rows;
        result["count"] = rows.size();
      } else if (op == "crypto.verify") {
        result["valid"] = false;  // fuzzed bytes never carry a signature of the stand-in JWKS
      } else if (op == "r2.get" || op == "r2.head") {
        result["found"] = false;
      } else if (op == "r2.list") {
        result["objects"] = Json::array();
        result["truncated"] = false;
      } else if (op == "r2.put") {
        result["key"] = effect.value("key", "");
        result["size"] = 0;
        result["etag"] = "e";
        result["uploaded"] = now_ms_;
      }
      if (op == "request.body" || op == "fetch") {
        result["body"] = {{"blob", {blobs.size(), blob.size()}}};
        blobs.append(blob);
      }
      results.push_back(std::move(result));
    }
    now_ms_ += 5;
    Json resume = {{"task", step["task"]}, {"now", now_ms_}, {"results", std::move(results)}};
    step = decode(entry_.resume(abi::encode_frame(resume, blobs)));
  }
  protocol_error("task did not finish within 200 steps", step);
}

}  // namespace ag::fuzz
