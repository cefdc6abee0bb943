#pragma once
// Byte framing of ABI messages (README.md in this folder):
//   input  = [u32 json_len][json][blob bytes]   (shim → core)
//   output = [u32 json_len][json]               (core → shim)
// All integers little-endian.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::abi {

constexpr std::uint32_t kVersion = 3;

/// Frames carry values that entered through parse_json (stored jsonb in rows, replies) a few
/// levels below their own, so they may nest deeper than untrusted JSON.
constexpr int kMaxFrameDepth = kMaxJsonDepth + 32;

struct Frame {
  Json json;
  std::string_view blobs;  // points into the decoded input
};

/// nullopt when the length prefix overruns the input, or the JSON is malformed or nests
/// deeper than kMaxFrameDepth.
std::optional<Frame> decode_frame(std::string_view bytes);

/// The input framing, for the native driver and tests (the shim has its own encoder).
std::string encode_frame(const Json& json, std::string_view blobs = {});

/// The output framing of a step.
std::string encode_output(const Json& step);

}  // namespace ag::abi
