#include "abi/entry.hpp"

#include "abi/frame.hpp"
#include "core/log.hpp"

namespace ag::abi {

namespace {
/// The step, with the log entries written while it was computed.
std::string output(Json step) {
  std::vector<Json> logs = log::take();
  if (!logs.empty() && step.is_object()) step["logs"] = std::move(logs);
  return encode_output(step);
}
}  // namespace

std::string Entry::init(std::string_view bytes) {
  auto frame = decode_frame(bytes);
  if (!frame) return output(bad_frame("init frame is malformed"));
  auto env = frame->json.find("env");
  if (env == frame->json.end() || !env->is_object()) return output(bad_frame("init needs env"));
  runtime_ = std::make_unique<Runtime>(app_, Config::from_json(*env), random_);
  return output({{"ok", true}, {"abi", kVersion}});
}

std::string Entry::start(std::string_view bytes) {
  if (!runtime_) return output(bad_frame("not initialised"));
  auto frame = decode_frame(bytes);
  if (!frame) return output(bad_frame("start frame is malformed"));
  return output(runtime_->start(frame->json, frame->blobs));
}

std::string Entry::resume(std::string_view bytes) {
  if (!runtime_) return output(bad_frame("not initialised"));
  auto frame = decode_frame(bytes);
  if (!frame) return output(bad_frame("resume frame is malformed"));
  return output(runtime_->resume(frame->json, frame->blobs));
}

std::string Entry::cancel(std::int64_t task) {
  if (!runtime_) return output(bad_frame("not initialised"));
  return output(runtime_->cancel(task));
}

}  // namespace ag::abi
