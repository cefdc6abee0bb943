#include "jobs/outputs.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/effects.hpp"
#include "core/log.hpp"
#include "core/r2_reply.hpp"

namespace ag::jobs {
namespace {

constexpr std::int64_t kCopyTimeoutMs = 60'000;

std::string extension_for_type(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
      {"image/png", ".png"},
      {"image/jpeg", ".jpg"},
      {"image/webp", ".webp"},
      {"image/gif", ".gif"},
      {"video/mp4", ".mp4"},
      {"video/webm", ".webm"},
      {"video/quicktime", ".mov"},
      {"audio/wav", ".wav"},
      {"audio/mpeg", ".mp3"},
      {"application/json", ".json"},
      {"text/plain", ".txt"},
  }};
  for (const auto& [known, extension] : kTypes)
    if (known == type) return std::string(extension);
  return "";
}

/// ".mp4" from "https://host/path/video.mp4?sig=..." (short alphanumeric extensions only).
std::string extension_of_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  auto slash = url.rfind('/');
  auto dot = url.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  std::string_view extension = url.substr(dot + 1);
  if (extension.empty() || extension.size() > 5) return "";
  std::string out = ".";
  for (char c : extension) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (!ok) return "";
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// A file named by a string: an http(s) URL or a base64 `data:` URI.
std::optional<OutputSource> file_of(const std::string& text) {
  if (starts_with(text, "https://") || starts_with(text, "http://")) {
    return OutputSource{text, "", "", extension_of_url(text)};
  }
  if (!starts_with(text, "data:")) return std::nullopt;
  auto comma = text.find(',');
  std::string_view meta = std::string_view(text).substr(5, comma == std::string::npos ? 0 : comma - 5);
  if (comma == std::string::npos || !ends_with(meta, ";base64")) return std::nullopt;
  std::string type(meta.substr(0, meta.size() - 7));
  return OutputSource{"", text.substr(comma + 1), type, extension_for_type(type)};
}

// The fields of an output object that name files (README, "RunPod workers"), in the order
// they are copied. Anything else a worker returns, its echoed input included, is not a file.
constexpr std::array<std::string_view, 4> kUrlFields = {"url", "image_url", "video_url", "audio_url"};
constexpr std::array<std::string_view, 3> kBase64Fields = {"image_base64", "video_base64", "audio_base64"};

void add(std::vector<OutputSource>& found, std::optional<OutputSource> source) {
  if (source && found.size() < kMaxOutputs) found.push_back(std::move(*source));
}

void collect_object(const Json& object, std::vector<OutputSource>& found) {
  for (std::string_view field : kUrlFields) {
    auto value = object.find(field);
    if (value != object.end() && value->is_string()) add(found, file_of(value->get_ref<const std::string&>()));
  }
  for (std::string_view field : kBase64Fields) {
    auto value = object.find(field);
    if (value == object.end() || !value->is_string()) continue;
    const auto& text = value->get_ref<const std::string&>();
    if (starts_with(text, "data:"))
      add(found, file_of(text));
    else if (text.size() >= 4)
      add(found, OutputSource{"", text, "application/octet-stream", ""});
  }
}

/// A file or an object naming files: what `output` is, or each item of it when a list.
void collect_item(const Json& item, std::vector<OutputSource>& found) {
  if (item.is_string()) add(found, file_of(item.get_ref<const std::string&>()));
  if (item.is_object()) collect_object(item, found);
}

}  // namespace

std::uint64_t output_max_bytes(const Config& config) {
  return config.get_uint("OUTPUT_MAX_BYTES", 100ull << 20, 1, 1ull << 30);
}

std::uint64_t stored_reply_max_bytes(const Config& config) {
  return std::min<std::uint64_t>(output_max_bytes(config), 48ull << 20);
}

std::vector<OutputSource> find_output_sources(const Json& output) {
  std::vector<OutputSource> found;
  if (output.is_array()) {
    for (const Json& item : output) collect_item(item, found);
  } else {
    collect_item(output, found);
  }
  return found;
}

Task<Json> copy_outputs(Ctx& ctx, const std::string& owner, const std::string& job_id, const Json& output) {
  std::vector<OutputSource> sources = find_output_sources(output);
  if (sources.empty()) co_return Json::array();
  const std::uint64_t max_bytes = output_max_bytes(ctx.config());
  std::vector<std::string> keys;
  std::vector<Json> puts;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const OutputSource& source = sources[i];
    keys.push_back("outputs/" + owner + "/" + job_id + "/" + std::to_string(i + 1) + source.extension);
    puts.push_back(source.url.empty()
                       ? effect::r2_put_base64(keys.back(), source.base64, source.content_type, max_bytes)
                       : effect::r2_put_from_url(keys.back(), source.url, max_bytes, kCopyTimeoutMs));
  }
  std::vector<EffectResult> stored = co_await ctx.perform_all(std::move(puts));
  Json outputs = Json::array();
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const OutputSource& source = sources[i];
    if (stored[i].failed()) {
      log::warn("output copy failed",
                {{"request_id", ctx.request_id()}, {"job_id", job_id}, {"code", stored[i].error_code()}});
      outputs.push_back(
          {{"source", source.url.empty() ? Json("base64") : Json(source.url)}, {"error", stored[i].error_code()}});
      continue;
    }
    // What R2 stored: the data: URI's type, or the type the source server sent.
    effect::R2Object object = effect::stored_r2_object(stored[i]);
    outputs.push_back({{"key", keys[i]},
                       {"size", object.size ? Json(*object.size) : Json(nullptr)},
                       {"content_type", object.content_type.empty() ? Json(nullptr) : Json(object.content_type)}});
  }
  co_return outputs;
}

}  // namespace ag::jobs
