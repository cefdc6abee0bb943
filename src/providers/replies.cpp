#include "providers/replies.hpp"

#include <utility>

namespace ag::providers {

bool unreachable(const EffectResult& reply) {
  const int status = reply.http_status();
  return status == 0 || status == 429 || status >= 500;
}

std::optional<JobState> parse_state(std::string_view body, Lifecycle lifecycle) {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  auto id = string_field(*parsed, "id");
  auto status = string_field(*parsed, "status");
  if (!id || id->empty() || !status) return std::nullopt;
  auto ours = lifecycle(*status);
  return JobState{std::move(*id), std::move(*status), std::move(ours), std::move(*parsed)};
}

std::optional<JobState> accepted_state(const EffectResult& reply, Lifecycle lifecycle) {
  const int status = reply.http_status();
  return status >= 200 && status < 300 ? parse_state(reply.body, lifecycle) : std::nullopt;
}

Polled polled_state(const EffectResult& reply, std::string_view job_id, std::string_view failed_status,
                    Lifecycle lifecycle) {
  Polled polled;
  polled.unreachable = unreachable(reply);
  // An error page too large to read is no job state.
  if (reply.error_code() == "too_large" && reply.value["error"].value("status", 0) == 200) {
    std::string id(job_id);
    Json body = {{"id", id}, {"status", failed_status}, {"error", "output_too_large"}};
    polled.state = JobState{std::move(id), std::string(failed_status), lifecycle(failed_status), std::move(body)};
  } else if (reply.http_status() == 200) {
    polled.state = parse_state(reply.body, lifecycle);
  }
  return polled;
}

std::optional<JobState> JobQueueProvider::submit_reply(const EffectResult& reply) const {
  return accepted_state(reply, lifecycle_);
}

Polled JobQueueProvider::status_reply(const EffectResult& reply, std::string_view job_id) const {
  return polled_state(reply, job_id, failed_status_, lifecycle_);
}

std::optional<JobState> JobQueueProvider::cancel_reply(const EffectResult& reply) const {
  return accepted_state(reply, lifecycle_);
}

std::optional<JobState> JobQueueProvider::parse_callback(std::string_view body) const {
  return parse_state(body, lifecycle_);
}

Json JobQueueProvider::output(const JobState& state) const {
  return state.body.contains("output") ? state.body["output"] : Json(nullptr);
}

}  // namespace ag::providers
