#include "abi/frame.hpp"

namespace ag::abi {

namespace {
void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}
}  // namespace

std::optional<Frame> decode_frame(std::string_view bytes) {
  if (bytes.size() < 4) return std::nullopt;
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (length > bytes.size() - 4) return std::nullopt;
  auto json = parse_json(bytes.substr(4, length), kMaxFrameDepth);
  if (!json || !json->is_object()) return std::nullopt;
  return Frame{std::move(*json), bytes.substr(4 + length)};
}

std::string encode_frame(const Json& json, std::string_view blobs) {
  std::string text = dump(json);
  std::string out;
  out.reserve(4 + text.size() + blobs.size());
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out += text;
  out += blobs;
  return out;
}

std::string encode_output(const Json& step) { return encode_frame(step); }

}  // namespace ag::abi
