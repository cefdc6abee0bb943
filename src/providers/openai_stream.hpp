#pragma once
// An OpenAI chat completion read as it streams (`stream: true`; docs/protocols.md
// "OpenAI-compatible"): Server-Sent Events whose `data` is a chat.completion.chunk, `[DONE]`
// last; with `stream_options.include_usage` a chunk with no choices and the usage comes just
// before it. A mid-stream failure is an event whose data is {"error": {...}} (or an `error`
// event). Without I/O: the reply body is fed in as its pieces arrive, cut anywhere.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ag::openai {

/// What one chunk of the completion's only choice brought: text, and the reason it ended.
struct ChatDelta {
  std::string content;
  std::optional<std::string> finish_reason;
};

class ChatStream {
 public:
  /// Reads the next piece of the body: the deltas of the events it completed, in order (a
  /// chunk with neither text nor a finish reason, the role's, yields none).
  std::vector<ChatDelta> feed(std::string_view bytes);

  /// Whether `[DONE]` came: the completion is whole.
  bool finished() const { return finished_; }
  /// The bytes of text so far.
  std::size_t text_size() const { return content_.size(); }
  /// The error the stream reported ({"message", "type"?, "code"?}); null while there is none.
  const Json& error() const { return error_; }
  /// The completion as the same call without `stream` answers it: {id, object, created, model,
  /// choices: [{index, message: {role, content}, finish_reason}], usage}.
  Json completion() const;

 private:
  /// One whole event: its name and data.
  void dispatch(const std::string& name, const std::string& data, std::vector<ChatDelta>& deltas);

  std::string line_;        // the line not yet ended
  std::string event_name_;  // the event being read
  std::string event_data_;
  std::string content_;
  Json head_ = Json::object();  // id, created, model of the first chunk
  Json usage_;
  Json finish_reason_;
  Json error_;
  bool finished_ = false;
};

}  // namespace ag::openai
