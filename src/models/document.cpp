#include "models/document.hpp"

#include <array>

#include "models/terms.hpp"
#include "providers/openai.hpp"
#include "providers/registry.hpp"

namespace ag::models {
namespace {

constexpr std::array<std::string_view, 4> kContentTypes = {"text", "image", "audio", "video"};
constexpr std::array<std::string_view, 11> kFields = {"provider",     "provider_model", "content_type", "pricing",
                                                      "input_schema", "input_map",      "enabled",      "default",
                                                      "endpoint_id",  "fallback_model", "max_attempts"};
constexpr int kMaxAttempts = 10;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_name(std::string_view text, std::size_t max) {
  if (text.empty() || text.size() > max || !name_char(text[0]) || text[0] == '.' || text[0] == '_' || text[0] == '-')
    return false;
  for (char c : text)
    if (!name_char(c)) return false;
  return true;
}

/// `owner/name` (fal: `owner/app/path...`), `owner/name:version` or a version id, as migration
/// 0008's check has it.
bool is_provider_model(std::string_view text) {
  if (text.size() > 256) return false;
  auto colon = text.find(':');
  std::string_view name = text.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view version = text.substr(colon + 1);
    if (version.empty()) return false;
    for (char c : version)
      if (!name_char(c) || c == '.' || c == '_' || c == '-') return false;
  }
  while (true) {
    auto slash = name.find('/');
    if (!is_name(name.substr(0, slash), 256)) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

template <std::size_t N>
bool one_of(std::string_view value, const std::array<std::string_view, N>& allowed) {
  for (std::string_view known : allowed)
    if (known == value) return true;
  return false;
}

}  // namespace

bool is_model_id(std::string_view id) { return is_name(id, 128); }

Parsed parse_document(std::string_view id, const Json& document) {
  Parsed out;
  out.model.id = std::string(id);
  for (const auto& [key, value] : document.items())
    if (!one_of(key, kFields)) return {{}, "unknown field " + key};

  auto provider = string_field(document, "provider");
  if (!provider || !providers::is_known(*provider)) return {{}, "provider must be runpod, replicate, openai or fal"};
  out.model.provider = *provider;

  auto content_type = string_field(document, "content_type");
  if (!content_type || !one_of(*content_type, kContentTypes))
    return {{}, "content_type must be text, image, audio or video"};
  out.model.content_type = *content_type;
  if (*provider == "openai" && !openai::serves(*content_type))
    return {{}, "an openai model makes text, image or audio"};

  if (!document.contains("pricing")) return {{}, "pricing is required: {\"base\": credits per job, ...}"};
  out.model.input_schema = document.value("input_schema", Json(nullptr));
  out.model.input_map = document.value("input_map", Json(nullptr));
  out.model.pricing = document["pricing"];
  CheckedTerms terms = check_terms(out.model.input_schema, out.model.input_map, out.model.pricing);
  if (!terms.terms) return {{}, terms.problem};

  if (document.contains("provider_model") && !document["provider_model"].is_null()) {
    auto provider_model = string_field(document, "provider_model");
    if (!provider_model || !is_provider_model(*provider_model))
      return {{}, "provider_model must be owner/name (fal: owner/app/path), owner/name:version or a version id"};
    out.model.provider_model = *provider_model;
  }
  for (auto [field, target] : {std::pair{"enabled", &out.model.enabled}, std::pair{"default", &out.model.is_default}}) {
    if (!document.contains(field)) continue;
    if (!document[field].is_boolean()) return {{}, std::string(field) + " must be true or false"};
    *target = document[field].get<bool>();
  }
  if (out.model.is_default && !out.model.enabled) return {{}, "the default model must be enabled"};

  if (document.contains("endpoint_id") && !document["endpoint_id"].is_null()) {
    auto endpoint = string_field(document, "endpoint_id");
    if (!endpoint || !is_name(*endpoint, 128)) return {{}, "endpoint_id must be a RunPod endpoint id"};
    if (out.model.provider != "runpod") return {{}, "endpoint_id is for runpod models only"};
    out.model.endpoint_id = *endpoint;
  }
  if (document.contains("fallback_model") && !document["fallback_model"].is_null()) {
    auto fallback = string_field(document, "fallback_model");
    if (!fallback || !is_model_id(*fallback)) return {{}, "fallback_model must be a model id"};
    if (*fallback == id) return {{}, "fallback_model must be another model"};
    out.model.fallback_model = *fallback;
  }
  if (document.contains("max_attempts")) {
    const Json& attempts = document["max_attempts"];
    if (!attempts.is_number_integer() || attempts.get<std::int64_t>() < 1 ||
        attempts.get<std::int64_t>() > kMaxAttempts)
      return {{}, "max_attempts must be an integer from 1 to 10"};
    out.model.max_attempts = attempts.get<int>();
  }
  return out;
}

}  // namespace ag::models
