#include "providers/fal.hpp"

#include <array>
#include <utility>

#include "providers/api_request.hpp"
#include "providers/replies.hpp"
#include "providers/stripe_form.hpp"

namespace ag::fal {
namespace {

constexpr std::string_view kCompleted = "COMPLETED";
constexpr std::string_view kOk = "OK";
constexpr std::string_view kError = "ERROR";
// The endpoint-id prefixes whose apps have three parts (fal-js' ENDPOINT_NAMESPACES).
constexpr std::array<std::string_view, 2> kNamespaces = {"workflows", "comfy"};

/// A finished request, however it was read: `{request_id, status: OK | ERROR, ...}` with the
/// webhook's `payload` as `output` when it succeeded (as every provider's job result keeps
/// what it made) or as `detail` when it failed.
providers::JobState outcome(std::string id, std::string_view fal_status, Json body) {
  if (body.contains("payload")) {
    body[fal_status == kOk ? "output" : "detail"] = std::move(body["payload"]);
    body.erase("payload");
  }
  return providers::JobState{std::move(id), std::string(fal_status), lifecycle_status(fal_status), std::move(body)};
}

providers::JobState failure(const std::string& id, Json error, Json detail) {
  Json body = {{"request_id", id}, {"status", kError}, {"error", std::move(error)}, {"detail", std::move(detail)}};
  return outcome(id, kError, std::move(body));
}

}  // namespace

std::optional<Settings> settings(const Config& config) {
  auto key = config.get("FAL_KEY");
  if (!key || key->empty()) return std::nullopt;
  Settings settings;
  settings.queue_base = config.get_base_url("FAL_QUEUE_BASE", kDefaultQueueBase);
  settings.key = std::string(*key);
  settings.jwks_url = std::string(config.get("FAL_JWKS_URL").value_or(kDefaultJwksUrl));
  return settings;
}

std::string queue_app(std::string_view model) {
  std::size_t parts = 2;
  for (std::string_view prefix : kNamespaces)
    if (model.substr(0, model.find('/')) == prefix) parts = 3;
  std::size_t end = 0;
  for (std::size_t seen = 0; seen < parts; ++seen) {
    end = model.find('/', seen == 0 ? 0 : end + 1);
    if (end == std::string_view::npos) break;
  }
  return std::string(model.substr(0, end));
}

std::optional<std::string> lifecycle_status(std::string_view fal_status) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kMap = {{
      {"IN_QUEUE", "submitted"},
      {"IN_PROGRESS", "running"},
      {kCompleted, "completed"},
      {kOk, "completed"},
      {kError, "failed"},
  }};
  for (const auto& [theirs, ours] : kMap)
    if (theirs == fal_status) return std::string(ours);
  return std::nullopt;
}

effect::FetchSpec Fal::request(std::string method, std::string url) const {
  return providers::api_request(std::move(method), std::move(url), "Key " + settings_.key, kMaxReplyBytes);
}

std::string Fal::request_url(std::string_view job_id) const {
  return settings_.queue_base + "/" + settings_.app + "/requests/" + std::string(job_id);
}

effect::FetchSpec Fal::submit_request(const Json& input, const std::string& callback_url) const {
  std::string url = settings_.queue_base + "/" + settings_.model;
  if (!callback_url.empty()) url += "?fal_webhook=" + stripe::form_encode(callback_url);
  effect::FetchSpec spec = request("POST", std::move(url));
  // The price follows our model, not a `model` field fal's endpoint would not read anyway.
  Json sent = input;
  sent.erase("model");
  spec.headers.emplace_back("content-type", "application/json");
  spec.body = dump(sent);
  return spec;
}

std::optional<providers::JobState> Fal::submit_reply(const EffectResult& reply) const {
  const int status = reply.http_status();
  auto body = status >= 200 && status < 300 ? parse_json(reply.body) : std::nullopt;
  auto id = body && body->is_object() ? string_field(*body, "request_id") : std::nullopt;
  if (!id || id->empty()) return std::nullopt;
  // The submission's answer names no status: the request is queued.
  std::string fal_status = string_field(*body, "status").value_or("IN_QUEUE");
  auto ours = lifecycle_status(fal_status);
  return providers::JobState{std::move(*id), std::move(fal_status), std::move(ours), std::move(*body)};
}

std::optional<effect::FetchSpec> Fal::status_request(std::string_view job_id) const {
  return request("GET", request_url(job_id) + "/status");
}

providers::Polled Fal::status_reply(const EffectResult& reply, std::string_view job_id) const {
  providers::Polled polled;
  polled.unreachable = providers::unreachable(reply);
  auto body = reply.http_status() == 200 ? parse_json(reply.body) : std::nullopt;
  auto fal_status = body && body->is_object() ? string_field(*body, "status") : std::nullopt;
  if (!fal_status) return polled;
  auto ours = lifecycle_status(*fal_status);
  polled.state = providers::JobState{std::string(job_id), std::move(*fal_status), std::move(ours), std::move(*body)};
  return polled;
}

std::optional<effect::FetchSpec> Fal::cancel_request(std::string_view job_id) const {
  return request("PUT", request_url(job_id) + "/cancel");
}

std::optional<providers::JobState> Fal::cancel_reply(const EffectResult& reply) const {
  // 202 CANCELLATION_REQUESTED: dropped from the queue, or the runner told to stop; 400
  // ALREADY_COMPLETED: it ended first (jobs/ then reads how).
  auto body = parse_json(reply.body);
  auto fal_status = body && body->is_object() ? string_field(*body, "status") : std::nullopt;
  if (!fal_status) return std::nullopt;
  std::optional<std::string> ours;
  if (reply.http_status() == 202 && *fal_status == "CANCELLATION_REQUESTED") ours = "cancelled";
  if (reply.http_status() == 400 && *fal_status == "ALREADY_COMPLETED") ours = "completed";
  return providers::JobState{"", std::move(*fal_status), std::move(ours), std::move(*body)};
}

std::optional<providers::JobState> Fal::parse_callback(std::string_view body) const {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  auto id = string_field(*parsed, "request_id");
  auto fal_status = string_field(*parsed, "status");
  if (!id || id->empty() || !fal_status || (*fal_status != kOk && *fal_status != kError)) return std::nullopt;
  return outcome(std::move(*id), *fal_status, std::move(*parsed));
}

Json Fal::output(const providers::JobState& state) const {
  // fal's payloads name their files by field (`images`: [{url, content_type, ...}],
  // `video`: {url, ...}, `audio`, ...): every file object of the payload's top level.
  if (state.provider_status != kOk || !state.body.contains("output") || !state.body["output"].is_object())
    return nullptr;
  Json files = Json::array();
  auto add = [&](const Json& value) {
    if (value.is_object() && string_field(value, "url")) files.push_back(value);
  };
  for (const Json& value : state.body["output"]) {
    if (value.is_array()) {
      for (const Json& item : value) add(item);
    } else {
      add(value);
    }
  }
  return files.empty() ? Json(nullptr) : files;
}

std::optional<effect::FetchSpec> Fal::result_request(const providers::JobState& state) const {
  // A queue status of COMPLETED carries no outcome; a webhook whose payload fal could not
  // serialise carries `payload: null` and a `payload_error`.
  const bool bare_ok = state.provider_status == kOk && state.body.value("output", Json(nullptr)).is_null();
  if (state.provider_status != kCompleted && !bare_ok) return std::nullopt;
  return request("GET", request_url(state.id));
}

providers::Polled Fal::result_reply(const EffectResult& reply, const providers::JobState& finished) const {
  const std::string& id = finished.id;
  const int status = reply.http_status();
  if (reply.error_code() == "too_large" && reply.value["error"].value("status", 0) == 200)
    return {failure(id, "output_too_large", nullptr)};
  auto body = status == 0 ? std::nullopt : parse_json(reply.body);
  if (status >= 200 && status < 300 && body && body->is_object()) {
    Json ok = {{"request_id", id}, {"status", kOk}, {"output", std::move(*body)}};
    return {outcome(id, kOk, std::move(ok))};
  }
  // A request that failed answers with its error: the model's (4xx, `detail`) or fal's own
  // (`error_type`, often a 5xx). A 5xx without one, a 429 or no answer is fal unreachable.
  const bool fal_error = body && body->is_object() && string_field(*body, "error_type");
  if (status >= 400 && status != 429 && (status < 500 || fal_error)) {
    Json error = fal_error ? Json(*string_field(*body, "error_type")) : Json("http_" + std::to_string(status));
    return {failure(id, std::move(error), body ? std::move(*body) : Json(nullptr))};
  }
  providers::JobState unknown = finished;
  unknown.status = std::nullopt;
  return {std::move(unknown), true};
}

}  // namespace ag::fal
