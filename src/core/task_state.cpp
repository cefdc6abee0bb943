#include "core/task_state.hpp"

#include <algorithm>

namespace ag {

std::string EffectResult::error_code() const {
  if (!failed()) return {};
  return string_field(value["error"], "code").value_or("unknown");
}

std::string EffectResult::error_message() const {
  if (!failed()) return {};
  return string_field(value["error"], "message").value_or("");
}

int EffectResult::http_status() const { return static_cast<int>(int_field(value, "status").value_or(0)); }

std::optional<std::string> EffectResult::http_header(std::string_view name) const {
  auto headers = value.find("headers");
  if (headers == value.end() || !headers->is_array()) return std::nullopt;
  for (const Json& pair : *headers) {
    if (pair.is_array() && pair.size() == 2 && pair[0] == name && pair[1].is_string())
      return pair[1].get<std::string>();
  }
  return std::nullopt;
}

void TaskState::suspend(std::vector<Json> effects, coro::coroutine_handle<> waiter,
                        std::vector<EffectResult>* results) {
  pending_ids_.clear();
  for (auto& effect : effects) {
    effect["id"] = next_id_;
    pending_ids_.push_back(next_id_++);
    outbox_.push_back(std::move(effect));
  }
  destination_ = results;
  waiter_ = waiter;
}

void TaskState::defer(Json effect) { deferred_.push_back(Json{{"op", "wait_until"}, {"effect", std::move(effect)}}); }

std::vector<Json> TaskState::take_effects() {
  std::vector<Json> step = std::move(outbox_);
  outbox_.clear();
  for (auto& effect : deferred_) {
    effect["id"] = next_id_++;
    step.push_back(std::move(effect));
  }
  deferred_.clear();
  return step;
}

std::vector<Json> TaskState::take_deferred() {
  std::vector<Json> effects;
  for (auto& effect : deferred_) effects.push_back(std::move(effect["effect"]));
  deferred_.clear();
  return effects;
}

coro::coroutine_handle<> TaskState::deliver(std::vector<std::pair<std::int64_t, EffectResult>> results) {
  if (!waiter_ || !destination_) return nullptr;
  std::vector<EffectResult> ordered(pending_ids_.size());
  std::vector<bool> seen(pending_ids_.size(), false);
  for (auto& [id, result] : results) {
    auto it = std::find(pending_ids_.begin(), pending_ids_.end(), id);
    // Results of deferred (wait_until) effects carry no information: skip them.
    if (it == pending_ids_.end()) continue;
    auto index = static_cast<std::size_t>(it - pending_ids_.begin());
    if (seen[index]) return nullptr;
    seen[index] = true;
    ordered[index] = std::move(result);
  }
  if (std::find(seen.begin(), seen.end(), false) != seen.end()) return nullptr;
  *destination_ = std::move(ordered);
  destination_ = nullptr;
  pending_ids_.clear();
  return std::exchange(waiter_, nullptr);
}

}  // namespace ag
