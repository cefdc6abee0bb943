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

Json chat_completion(const Json& row, const std::string& text, std::int64_t now_s) {
  const std::string job_id = string_field(row, "id").value_or("");
  Json message = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
  return {{"id", "chatcmpl-" + job_id},
          {"object", "chat.completion"},
          {"created", now_s},
          {"model", row.value("model", Json(""))},
          {"choices",
           Json::array(
               {{{"index", 0}, {"message", std::move(message)}, {"finish_reason", "stop"}, {"logprobs", nullptr}}})},
          {"job_id", job_id}};
}

Response chat_completion_stream(const Json& row, const std::string& text, std::int64_t now_s, bool include_usage) {
  const std::string job_id = string_field(row, "id").value_or("");
  const Json head = {{"id", "chatcmpl-" + job_id},
                     {"object", "chat.completion.chunk"},
                     {"created", now_s},
                     {"model", row.value("model", Json(""))},
                     {"job_id", job_id}};
  auto chunk = [&head](Json delta, Json finish_reason) {
    Json out = head;
    out["choices"] = Json::array({{{"index", 0},
                                   {"delta", std::move(delta)},
                                   {"finish_reason", std::move(finish_reason)},
                                   {"logprobs", nullptr}}});
    return "data: " + dump(out) + "\n\n";
  };
  std::string body = chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr);
  body += chunk({{"content", text}}, nullptr);
  body += chunk(Json::object(), "stop");
  if (include_usage) {
    Json last = head;
    last["choices"] = Json::array();
    const Json& result = row.contains("result") && row["result"].is_object() ? row["result"] : Json::object();
    last["usage"] = result.value("usage", Json(nullptr));
    body += "data: " + dump(last) + "\n\n";
  }
  body += "data: [DONE]\n\n";
  Response response;
  response.set_header("content-type", "text/event-stream; charset=utf-8");
  response.body = std::move(body);
  return response;
}

Json images(const Json& row, const Json& signed_outputs, std::int64_t now_s) {
  Json data = Json::array();
  for (const Json& output : signed_outputs)
    if (output.contains("url")) data.push_back({{"url", output["url"]}});
  return {{"created", now_s}, {"data", std::move(data)}, {"job_id", row.value("id", Json(nullptr))}};
}

ComposedBody inline_images(const Json& row, const std::vector<Json>& held, std::int64_t now_s) {
  // Base64 needs no escaping inside a JSON string: each image goes between two quotes as is.
  ComposedBody body;
  body.parts.push_back({R"({"created":)" + std::to_string(now_s) + R"(,"job_id":)" +
                            dump(row.value("id", Json(nullptr))) + R"(,"data":[)",
                        std::nullopt});
  for (std::size_t i = 0; i < held.size(); ++i) {
    body.parts.push_back({std::string(i == 0 ? "" : ",") + R"({"b64_json":")", std::nullopt});
    body.parts.push_back({"", int_field(held[i], "handle").value_or(0)});
    body.parts.push_back({R"("})", std::nullopt});
  }
  body.parts.push_back({"]}", std::nullopt});
  return body;
}

}  // namespace ag::v1
