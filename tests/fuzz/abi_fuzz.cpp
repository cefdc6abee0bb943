// Raw bytes as the ABI's start and resume frames: length prefixes, blob sections, JSON that is
// not a frame, results that answer the wrong effects. Input: "<start frame>\0\0<resume frame>".
#include <cstdint>
#include <string>

#include "abi/entry.hpp"
#include "abi/frame.hpp"
#include "api/app.hpp"
#include "support/fake_shim.hpp"

namespace {
void fixed_random(std::uint8_t* out, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (ag::fuzz::silence_logs(), true);
  (void)quiet;
  // A fresh entry per input: tasks a start leaves waiting (its resume never came) die with it.
  ag::api::App app;
  ag::abi::Entry entry(app, fixed_random);
  entry.init(ag::abi::encode_frame({{"env", {{"APP_ADMIN_TOKEN", "fuzz-admin"}}}}));
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto cut = input.find(std::string_view("\0\0", 2));
  std::string_view start = input.substr(0, cut);
  std::string_view resume = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 2);
  entry.start(start);
  if (!resume.empty()) entry.resume(resume);
  return 0;
}
