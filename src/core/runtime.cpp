#include "core/runtime.hpp"

#include "core/log.hpp"

namespace ag {

struct Runtime::Live {
  Live(const Config& config, Isolate& isolate, const RandomSource& random, std::int64_t now_ms)
      : ctx(config, isolate, state, random, now_ms), started_ms(now_ms) {}
  Request request;
  TaskState state;
  Ctx ctx;
  Task<Response> task;
  Task<void> writer;  // a StreamedBody's, once its head has gone out
  std::int64_t started_ms;
  bool answers = true;  // false for cron and background tasks, and streams once their head is out

  bool streaming() const { return static_cast<bool>(writer.handle()); }
  bool done() const { return streaming() ? writer.done() : task.done(); }
};

Runtime::Runtime(Application& app, Config config, RandomSource random)
    : app_(app), config_(std::move(config)), random_(std::move(random)) {}

Runtime::~Runtime() = default;

Json bad_frame(std::string_view message) { return {{"error", "bad_frame"}, {"message", message}}; }

namespace {

std::optional<std::int64_t> time_field(const Json& message) {
  auto it = message.find("now");
  if (it == message.end() || !it->is_number()) return std::nullopt;
  return static_cast<std::int64_t>(it->get<double>());
}

/// The bytes a `{"blob": [offset, length]}` reference names in `blobs`; nullopt when the
/// reference is malformed or reaches past the blob section.
std::optional<std::string_view> blob_bytes(const Json& ref, std::string_view blobs) {
  auto blob = ref.find("blob");
  if (blob == ref.end() || !blob->is_array() || blob->size() != 2 || !(*blob)[0].is_number_integer() ||
      !(*blob)[1].is_number_integer() || (*blob)[0].get<std::int64_t>() < 0 || (*blob)[1].get<std::int64_t>() < 0)
    return std::nullopt;
  auto offset = (*blob)[0].get<std::uint64_t>();
  auto length = (*blob)[1].get<std::uint64_t>();
  if (offset > blobs.size() || length > blobs.size() - offset) return std::nullopt;
  return blobs.substr(offset, length);
}

std::optional<Request> decode_request(const Json& value, std::string_view blobs) {
  Request request;
  auto method = string_field(value, "method");
  auto url = string_field(value, "url");
  if (!method || !url) return std::nullopt;
  auto target = split_url(*url);
  if (!target) return std::nullopt;
  request.method = std::move(*method);
  request.url = std::move(*url);
  request.path = std::move(target->first);
  request.query = std::move(target->second);
  auto headers = value.find("headers");
  if (headers != value.end()) {
    if (!headers->is_array()) return std::nullopt;
    for (const auto& pair : *headers) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) return std::nullopt;
      request.headers.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  request.has_body = bool_field(value, "has_body").value_or(false);
  if (auto body = value.find("body"); body != value.end()) {
    auto bytes = blob_bytes(*body, blobs);  // nullopt for anything but a blob reference
    if (!bytes || !request.has_body) return std::nullopt;
    request.body.emplace(*bytes);
  }
  return request;
}

Json encode_response(const Response& response) {
  Json headers = Json::array();
  for (const auto& [name, value] : response.headers) headers.push_back({name, value});
  Json out = {{"status", response.status}, {"headers", std::move(headers)}};
  if (const auto* text = std::get_if<std::string>(&response.body)) {
    out["body"] = *text;
  } else if (const auto* object = std::get_if<R2BodyHandle>(&response.body)) {
    out["body"] = {{"r2_body", object->handle}};
  } else if (const auto* composed = std::get_if<ComposedBody>(&response.body)) {
    Json parts = Json::array();
    for (const ComposedBody::Part& part : composed->parts)
      parts.push_back(part.base64_of ? Json{{"base64_of", *part.base64_of}} : Json{{"text", part.text}});
    out["body"] = {{"parts", std::move(parts)}};
  } else if (std::holds_alternative<StreamedBody>(response.body)) {
    out["body"] = {{"stream", true}};
  }
  return out;
}

/// Moves a result's `{"blob": [offset, length]}` body into EffectResult::body.
std::optional<EffectResult> decode_result(Json value, std::string_view blobs) {
  EffectResult result;
  auto body = value.find("body");
  if (body != value.end() && body->is_object() && body->contains("blob")) {
    auto bytes = blob_bytes(*body, blobs);
    if (!bytes) return std::nullopt;
    result.body.assign(*bytes);
    value.erase("body");
  }
  result.value = std::move(value);
  return result;
}

}  // namespace

Json Runtime::start(const Json& message, std::string_view blobs) {
  auto kind = string_field(message, "kind");
  auto now = time_field(message);
  if (!kind || !now) return bad_frame("start needs kind and now");

  auto live = std::make_unique<Live>(config_, isolate_, random_, *now);
  // The shim's id for the task; the App keeps it unless the caller brought a usable one.
  if (auto request_id = string_field(message, "request_id")) live->ctx.set_request_id(*request_id);
  if (*kind == "fetch") {
    auto it = message.find("request");
    auto request = it == message.end() ? std::nullopt : decode_request(*it, blobs);
    if (!request) return bad_frame("malformed request");
    live->request = std::move(*request);
    live->task = app_.handle(live->ctx, live->request);
  } else if (*kind == "scheduled") {
    live->answers = false;
    live->task = app_.scheduled(live->ctx, string_field(message, "cron").value_or(""));
  } else if (*kind == "background") {
    auto job = message.find("job");
    if (job == message.end() || !job->is_object()) return bad_frame("background needs a job object");
    live->answers = false;
    live->task = app_.background(live->ctx, *job);
  } else {
    return bad_frame("unknown kind");
  }
  std::int64_t id = next_task_++;
  Live& ref = *live;
  tasks_.emplace(id, std::move(live));
  isolate_.slot<TaskCount>().live = tasks_.size();
  ref.task.handle().resume();
  return advance(id, ref);
}

Json Runtime::cancel(std::int64_t id) {
  auto found = tasks_.find(id);
  if (found == tasks_.end()) return {{"error", "unknown_task"}, {"task", id}};
  Json step = {{"task", id}, {"request_id", found->second->ctx.request_id()}, {"done", true}};
  auto left = found->second->state.take_on_cancel();
  if (!left.empty()) step["background"] = std::move(left);
  // Destroying the Live destroys its coroutines (the writer first: it was declared last) and
  // drops what they still wanted done: nobody is left to receive it.
  tasks_.erase(found);
  isolate_.slot<TaskCount>().live = tasks_.size();
  return step;
}

Json Runtime::resume(const Json& message, std::string_view blobs) {
  auto id = int_field(message, "task");
  if (!id) return bad_frame("resume needs a task id");
  auto found = tasks_.find(*id);
  if (found == tasks_.end()) return {{"error", "unknown_task"}, {"task", *id}};
  Live& live = *found->second;

  std::vector<std::pair<std::int64_t, EffectResult>> results;
  auto list = message.find("results");
  bool well_formed = list != message.end() && list->is_array();
  if (well_formed) {
    for (const auto& item : *list) {
      auto effect_id = int_field(item, "id");
      auto result = effect_id ? decode_result(item, blobs) : std::nullopt;
      if (!result) {
        well_formed = false;
        break;
      }
      results.emplace_back(*effect_id, std::move(*result));
    }
  }
  auto waiter = well_formed ? live.state.deliver(std::move(results)) : nullptr;
  if (!waiter) {
    log::error("malformed effect results", {{"task", *id}, {"request_id", live.ctx.request_id()}});
    return finish(*id, live, error_response(errors::internal()));
  }
  if (auto now = time_field(message)) live.ctx.set_now_ms(*now);
  waiter.resume();
  return advance(*id, live);
}

Json Runtime::advance(std::int64_t id, Live& live) {
  if (live.state.failure()) return finish(id, live, error_response(*live.state.failure()));
  if (live.done()) {
    if (live.streaming()) return finish(id, live, {});
    Response response = std::move(*live.task.handle().promise().value);
    if (std::holds_alternative<StreamedBody>(response.body)) return open_stream(id, live, std::move(response));
    return finish(id, live, std::move(response));
  }
  if (live.state.waiting())
    return {{"task", id}, {"request_id", live.ctx.request_id()}, {"effects", live.state.take_effects()}};
  log::error("task suspended without effects", {{"task", id}});
  return finish(id, live, error_response(errors::internal()));
}

Json Runtime::open_stream(std::int64_t id, Live& live, Response response) {
  app_.finish(live.ctx, live.request, response, live.started_ms);
  // HEAD (or a status without a body) leaves no body to write: an ordinary answer.
  auto* streamed = std::get_if<StreamedBody>(&response.body);
  if (!streamed) return final_step(id, live, encode_response(response));
  Json head = encode_response(response);
  live.writer = std::move(streamed->writer);
  live.answers = false;
  live.writer.handle().resume();
  Json step = advance(id, live);
  step["response"] = std::move(head);
  return step;
}

Json Runtime::finish(std::int64_t id, Live& live, Response response) {
  if (!live.answers) return final_step(id, live, nullptr);
  app_.finish(live.ctx, live.request, response, live.started_ms);
  return final_step(id, live, encode_response(response));
}

Json Runtime::final_step(std::int64_t id, Live& live, Json response) {
  Json step = {{"task", id}, {"request_id", live.ctx.request_id()}};
  if (response.is_null()) {
    step["done"] = true;
  } else {
    step["response"] = std::move(response);
  }
  if (live.streaming() && live.state.failure())
    log::error("streamed body failed", {{"request_id", live.ctx.request_id()}, {"error", live.state.failure()->code}});
  auto deferred = live.state.take_deferred();
  if (!deferred.empty()) step["wait_until"] = std::move(deferred);
  // A failed task's follow-ups are dropped: they would act on work that did not happen.
  auto background = live.state.take_background();
  if (!background.empty() && !live.state.failure()) step["background"] = std::move(background);
  tasks_.erase(id);
  isolate_.slot<TaskCount>().live = tasks_.size();
  return step;
}

}  // namespace ag
