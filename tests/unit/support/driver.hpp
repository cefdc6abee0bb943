#pragma once
// The scripted effect driver: runs requests through the real ABI entry (bytes in,
// bytes out, exactly as the shim does) and answers every effect with a test's script.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abi/entry.hpp"
#include "api/app.hpp"
#include "core/json.hpp"

namespace ag::testing {

/// One effect's scripted result: `value` is the result object, `body` its blob bytes.
struct Reply {
  Reply(Json value = Json::object(), std::string body = {}) : value(std::move(value)), body(std::move(body)) {}
  Json value;
  std::string body;
};

using Responder = std::function<Reply(const Json& effect)>;

/// Fails the test on any effect: for requests that must not perform I/O.
Reply no_effects_expected(const Json& effect);

/// Whether `effect` is a SQL statement whose text starts with `prefix`.
bool is_sql(const Json& effect, std::string_view prefix);
/// A SQL statement's reply with `list` as its rows, as the shim sends it.
Reply rows(Json list);

/// Whether `effect` is the read of the models catalog (models/catalog.cpp).
bool is_catalog(const Json& effect);
/// A models row as the catalog reads it: enabled, at revision 1, with no declared inputs
/// unless `input_schema` is given.
Json model_row(std::string id, std::string provider, std::string content_type, bool is_default, Json pricing,
               Json input_schema = nullptr);
/// The catalog's reply: the default model runpod-video at 1 credit, or `models`.
Reply catalog(Json models = Json::array());

struct Outcome {
  Json response;                 // {"status", "headers", "body"?}
  std::vector<Json> effects;     // every effect asked for, in order (wait_until ones too)
  std::vector<Json> deferred;    // every wait_until effect (inner), wherever it left
  std::vector<Json> background;  // jobs handed over with the final step (Ctx::run_after)
  std::vector<Json> logs;        // every log entry the run wrote, the access line last
  std::string streamed;          // a streamed body: every `stream.write`, in order
  int writes = 0;                // how many `stream.write`s the client received
  int steps = 0;

  int status() const;
  std::optional<std::string> header(const std::string& name) const;
  std::string body() const;
  Json json() const;  // the body parsed (null when absent or not JSON)
};

struct RequestSpec {
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_body = false;
  /// The body sent with the start frame, as the shim does for small bodies (implies has_body).
  std::optional<std::string> body = std::nullopt;
};

class Driver {
 public:
  using Env = std::initializer_list<std::pair<std::string, std::string>>;
  explicit Driver(Env env = {});

  Outcome run(const RequestSpec& request, const Responder& respond = no_effects_expected);
  Outcome get(const std::string& path, const std::vector<std::pair<std::string, std::string>>& headers = {},
              const Responder& respond = no_effects_expected) {
    return run({"GET", path, headers, false}, respond);
  }
  /// Runs the cron entry; the outcome has effects but no response.
  Outcome scheduled(const std::string& cron, const Responder& respond = no_effects_expected);
  std::size_t live_tasks() const { return entry_.live_tasks(); }
  /// Runs a job an outcome handed over (Outcome::background) as its own task.
  Outcome background(const Json& job, const Responder& respond = no_effects_expected);
  /// Moves the clock the core sees forward (each step also adds 5 ms).
  void advance_ms(std::int64_t ms) { now_ms_ += ms; }
  /// A streamed body's client goes away after `writes` writes: later ones fail `closed`.
  void close_stream_after(int writes) { stream_writes_left_ = writes; }
  /// A streamed body's client goes away after `writes` writes and the shim cancels the task
  /// (ag_cancel): the outcome's background is what the cancel handed over.
  void cancel_stream_after(int writes) { cancel_after_writes_ = writes; }

 private:
  Outcome drive(const Json& start, const Responder& respond, const std::string& start_blobs = {});
  /// A task that has not ended after this many steps fails the test (a 10-minute event stream
  /// that looks at its job every second takes about 1,800).
  static constexpr int kMaxSteps = 2000;

  api::App app_;
  abi::Entry entry_;
  /// The answer to a `stream.write`, which the driver plays the client for.
  Reply stream_write(const Json& effect, Outcome& outcome);

  std::int64_t now_ms_ = 1'700'000'000'000;
  std::optional<int> stream_writes_left_;
  std::optional<int> cancel_after_writes_;
};

/// Decodes an output frame ([u32 len][json]).
Json decode_output(const std::string& bytes);

}  // namespace ag::testing
