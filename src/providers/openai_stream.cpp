#include "providers/openai_stream.hpp"

namespace ag::openai {

std::vector<ChatDelta> ChatStream::feed(std::string_view bytes) {
  std::vector<ChatDelta> deltas;
  for (char c : bytes) {
    if (c != '\n') {
      line_ += c;
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.empty()) {  // a blank line ends the event
      if (!event_data_.empty()) dispatch(event_name_, event_data_, deltas);
      event_name_.clear();
      event_data_.clear();
    } else if (line_.rfind("data:", 0) == 0) {
      std::string_view value = std::string_view(line_).substr(5);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (!event_data_.empty()) event_data_ += '\n';
      event_data_ += value;
    } else if (line_.rfind("event:", 0) == 0) {
      std::string_view value = std::string_view(line_).substr(6);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      event_name_ = value;
    }  // comments (":") and other fields carry nothing here
    line_.clear();
  }
  return deltas;
}

void ChatStream::dispatch(const std::string& name, const std::string& data, std::vector<ChatDelta>& deltas) {
  if (finished_ || !error_.is_null()) return;
  if (data == "[DONE]") {
    finished_ = true;
    return;
  }
  Json chunk = Json::parse(data, nullptr, false);
  if (!chunk.is_object()) {
    error_ = {{"message", "the provider's stream carried an event that is not JSON"}, {"code", "malformed_stream"}};
    return;
  }
  if (name == "error" || chunk.contains("error")) {
    error_ = chunk.contains("error") && chunk["error"].is_object() ? chunk["error"] : chunk;
    return;
  }
  for (const char* field : {"id", "created", "model"})
    if (chunk.contains(field) && !head_.contains(field)) head_[field] = chunk[field];
  if (chunk.contains("usage") && chunk["usage"].is_object()) usage_ = chunk["usage"];
  const Json choices = chunk.value("choices", Json::array());
  if (!choices.is_array() || choices.empty() || !choices[0].is_object()) return;
  ChatDelta delta;
  const Json piece = choices[0].value("delta", Json::object());
  if (piece.is_object()) delta.content = string_field(piece, "content").value_or("");
  delta.finish_reason = string_field(choices[0], "finish_reason");
  if (delta.finish_reason) finish_reason_ = *delta.finish_reason;
  content_ += delta.content;
  if (!delta.content.empty() || delta.finish_reason) deltas.push_back(std::move(delta));
}

Json ChatStream::completion() const {
  Json message = {{"role", "assistant"}, {"content", content_}};
  Json completion = {
      {"id", head_.value("id", Json(""))},
      {"object", "chat.completion"},
      {"created", head_.value("created", Json(0))},
      {"model", head_.value("model", Json(""))},
      {"choices", Json::array({{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason_}}})}};
  if (!usage_.is_null()) completion["usage"] = usage_;
  return completion;
}

}  // namespace ag::openai
