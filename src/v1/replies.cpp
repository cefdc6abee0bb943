#include "v1/replies.hpp"

namespace ag::v1 {

Json model_list(const models::Catalog& catalog) {
  Json data = Json::array();
  for (const models::Priced& model : catalog.models) {
    Json shown = models::public_view(model);
    data.push_back({{"id", model.id},
                    {"object", "model"},
                    {"created", 0},
                    {"owned_by", model.provider},
                    {"content_type", model.content_type},
                    {"cost_credits", shown["cost_credits"]}});
  }
  return {{"object", "list"}, {"data", std::move(data)}};
}

Json chat_completion(const jobs::JobRow& job, const std::string& text, std::int64_t now_s) {
  const std::string& job_id = job.id;
  Json message = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
  return {{"id", "chatcmpl-" + job_id},
          {"object", "chat.completion"},
          {"created", now_s},
          {"model", job.model.value_or("")},
          {"choices",
           Json::array(
               {{{"index", 0}, {"message", std::move(message)}, {"finish_reason", "stop"}, {"logprobs", nullptr}}})},
          {"job_id", job_id}};
}

ChatChunks::ChatChunks(const std::string& job_id, Json model, std::int64_t now_s)
    : head_({{"id", "chatcmpl-" + job_id},
             {"object", "chat.completion.chunk"},
             {"created", now_s},
             {"model", std::move(model)},
             {"job_id", job_id}}) {}

std::string ChatChunks::role() const {
  Json chunk = head_;
  Json delta = {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}};
  chunk["choices"] =
      Json::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", nullptr}, {"logprobs", nullptr}}});
  return "data: " + dump(chunk) + "\n\n";
}

std::string ChatChunks::delta(const std::string& content, Json finish_reason) const {
  Json chunk = head_;
  Json delta = content.empty() ? Json::object() : Json{{"content", content}};
  chunk["choices"] = Json::array({{{"index", 0},
                                   {"delta", std::move(delta)},
                                   {"finish_reason", std::move(finish_reason)},
                                   {"logprobs", nullptr}}});
  return "data: " + dump(chunk) + "\n\n";
}

std::string ChatChunks::usage(const Json& usage) const {
  Json chunk = head_;
  chunk["choices"] = Json::array();
  chunk["usage"] = usage;
  return "data: " + dump(chunk) + "\n\n";
}

std::string ChatChunks::error(std::string_view code, std::string_view message) const {
  Json error = {
      {"message", message}, {"type", "server_error"}, {"param", nullptr}, {"code", code}, {"job_id", head_["job_id"]}};
  return "data: " + dump(Json{{"error", std::move(error)}}) + "\n\n";
}

Response chat_completion_stream(const jobs::JobRow& job, const std::string& text, std::int64_t now_s,
                                bool include_usage) {
  const ChatChunks chunks(job.id, job.model.value_or(""), now_s);
  std::string body = chunks.role() + chunks.delta(text) + chunks.delta("", "stop");
  if (include_usage) {
    body += chunks.usage(job.result.is_object() ? job.result.value("usage", Json(nullptr)) : Json(nullptr));
  }
  body += ChatChunks::kDone;
  Response response;
  response.set_header("content-type", "text/event-stream; charset=utf-8");
  response.body = std::move(body);
  return response;
}

Json images(const jobs::JobRow& job, const Json& signed_outputs, std::int64_t now_s) {
  Json data = Json::array();
  for (const Json& output : signed_outputs)
    if (output.contains("url")) data.push_back({{"url", output["url"]}});
  return {{"created", now_s}, {"data", std::move(data)}, {"job_id", job.id}};
}

ComposedBody inline_images(const jobs::JobRow& job, const std::vector<Json>& held, std::int64_t now_s) {
  // Base64 needs no escaping inside a JSON string: each image goes between two quotes as is.
  ComposedBody body;
  body.parts.push_back(
      {R"({"created":)" + std::to_string(now_s) + R"(,"job_id":)" + dump(Json(job.id)) + R"(,"data":[)", std::nullopt});
  for (std::size_t i = 0; i < held.size(); ++i) {
    body.parts.push_back({std::string(i == 0 ? "" : ",") + R"({"b64_json":")", std::nullopt});
    body.parts.push_back({"", int_field(held[i], "handle").value_or(0)});
    body.parts.push_back({R"("})", std::nullopt});
  }
  body.parts.push_back({"]}", std::nullopt});
  return body;
}

}  // namespace ag::v1
