#pragma once
// What the shim answers to the r2.* effects (src/abi/README.md, "r2"), decoded once here so
// callers name fields, never the reply's JSON keys. Decode only a reply that did not fail.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/task_state.hpp"

namespace ag::effect {

/// An R2 object as r2.put, r2.head, r2.get and r2.list describe it.
struct R2Object {
  std::string key;
  std::optional<std::uint64_t> size;  // nullopt when the reply leaves it out
  std::string etag;                   // bare (no quotes); empty when the reply has none
  std::string content_type;           // empty when the object has none
  std::int64_t uploaded_ms = 0;
  bool not_modified = false;  // r2.get given if_none_match: the tag matched, no body came
  std::int64_t handle = 0;    // r2.get with `stream`: the body a response can stream
};

/// One page of r2.list.
struct R2Page {
  std::vector<R2Object> objects;
  std::optional<std::string> cursor;  // where the next page starts; nullopt on the last
};

/// What r2.put stored.
R2Object stored_r2_object(const EffectResult& reply);

/// The object an r2.head or r2.get reply found; nullopt when there is no such object.
std::optional<R2Object> found_r2_object(const EffectResult& reply);

/// An r2.list reply.
R2Page r2_page(const EffectResult& reply);

}  // namespace ag::effect
