#include "core/r2_reply.hpp"

namespace ag::effect {
namespace {

R2Object r2_object(const Json& value) {
  R2Object object;
  object.key = string_field(value, "key").value_or("");
  if (auto size = int_field(value, "size")) object.size = static_cast<std::uint64_t>(*size);
  object.etag = string_field(value, "etag").value_or("");
  object.content_type = string_field(value, "content_type").value_or("");
  object.uploaded_ms = int_field(value, "uploaded").value_or(0);
  object.not_modified = bool_field(value, "not_modified").value_or(false);
  object.handle = int_field(value, "handle").value_or(0);
  return object;
}

}  // namespace

R2Object stored_r2_object(const EffectResult& reply) { return r2_object(reply.value); }

std::optional<R2Object> found_r2_object(const EffectResult& reply) {
  if (!bool_field(reply.value, "found").value_or(false)) return std::nullopt;
  return r2_object(reply.value);
}

R2Page r2_page(const EffectResult& reply) {
  R2Page page;
  if (auto objects = reply.value.find("objects"); objects != reply.value.end() && objects->is_array()) {
    for (const Json& object : *objects) page.objects.push_back(r2_object(object));
  }
  page.cursor = string_field(reply.value, "cursor");
  return page;
}

}  // namespace ag::effect
