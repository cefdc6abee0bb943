#include "core/effects.hpp"

#include <algorithm>

#include "crypto/encoding.hpp"

namespace ag::effect {

Json sql(std::string_view query, Json params) {
  return {{"op", "sql"}, {"query", query}, {"params", std::move(params)}};
}

Json fetch(const FetchSpec& spec) {
  Json headers = Json::array();
  for (const auto& [name, value] : spec.headers) headers.push_back({name, value});
  Json effect = {{"op", "fetch"},
                 {"method", spec.method},
                 {"url", spec.url},
                 {"headers", std::move(headers)},
                 {"timeout_ms", spec.timeout_ms},
                 {"max_bytes", spec.max_bytes}};
  if (spec.body) effect["body"] = *spec.body;
  if (spec.store) {
    const ReplyFiles& store = *spec.store;
    Json files = {{"key_prefix", store.key_prefix}, {"extension", store.extension}, {"max_bytes", store.max_bytes}};
    if (!store.content_type.empty()) files["content_type"] = store.content_type;
    if (!store.json_items.empty()) files["json"] = {{"items", store.json_items}, {"field", store.json_field}};
    effect["store"] = std::move(files);
  }
  if (spec.stream) effect["stream"] = true;
  return effect;
}

Json body_read(std::int64_t handle) { return {{"op", "body.read"}, {"handle", handle}}; }

Json queue_send(std::string_view queue, const Json& body, std::int64_t delay_seconds) {
  Json effect = {{"op", "queue.send"}, {"queue", queue}, {"body", body}};
  if (delay_seconds > 0) effect["delay_seconds"] = std::min(delay_seconds, kMaxQueueDelaySeconds);
  return effect;
}

Json crypto_verify(std::string_view alg, const Json& key, std::string_view data, std::string_view signature) {
  return {{"op", "crypto.verify"},
          {"alg", alg},
          {"key", key},
          {"data", data},
          {"signature", crypto::base64url_encode(signature)}};
}

Json sleep(std::int64_t ms) { return {{"op", "sleep"}, {"ms", ms}}; }

Json stream_write(std::string_view text) { return {{"op", "stream.write"}, {"data", text}}; }

Json request_body(std::uint64_t max_bytes) { return {{"op", "request.body"}, {"max_bytes", max_bytes}}; }

Json r2_put_request_body(std::string_view key, std::string_view content_type, std::uint64_t max_bytes) {
  return {{"op", "r2.put"},
          {"key", key},
          {"body", {{"from", "request"}}},
          {"content_type", content_type},
          {"max_bytes", max_bytes}};
}

Json r2_get_stream(std::string_view key, const std::optional<R2Range>& range,
                   const std::optional<std::string>& if_none_match) {
  Json effect = {{"op", "r2.get"}, {"key", key}, {"stream", true}};
  if (range) {
    Json r = Json::object();
    if (range->offset) r["offset"] = *range->offset;
    if (range->length) r["length"] = *range->length;
    if (range->suffix) r["suffix"] = *range->suffix;
    effect["range"] = std::move(r);
  }
  if (if_none_match) effect["if_none_match"] = *if_none_match;
  return effect;
}

Json r2_read(std::string_view key, std::uint64_t max_bytes) {
  return {{"op", "r2.get"}, {"key", key}, {"range", {{"offset", 0}, {"length", max_bytes}}}};
}

Json r2_put_from_url(std::string_view key, std::string_view url, std::uint64_t max_bytes, std::int64_t timeout_ms) {
  return {{"op", "r2.put"},
          {"key", key},
          {"body", {{"from", "url"}, {"url", url}, {"timeout_ms", timeout_ms}}},
          {"max_bytes", max_bytes}};
}

Json r2_put_base64(std::string_view key, std::string_view data, std::string_view content_type,
                   std::uint64_t max_bytes) {
  return {{"op", "r2.put"},
          {"key", key},
          {"body", {{"from", "base64"}, {"data", data}}},
          {"content_type", content_type},
          {"max_bytes", max_bytes}};
}

Json r2_head(std::string_view key) { return {{"op", "r2.head"}, {"key", key}}; }

Json r2_delete(std::string_view key) { return {{"op", "r2.delete"}, {"key", key}}; }
Json r2_delete_many(const std::vector<std::string>& keys) { return {{"op", "r2.delete"}, {"keys", keys}}; }

Json r2_list(std::string_view prefix, const std::optional<std::string>& cursor, std::uint32_t limit) {
  Json effect = {{"op", "r2.list"}, {"prefix", prefix}, {"limit", limit}};
  if (cursor) effect["cursor"] = *cursor;
  return effect;
}

}  // namespace ag::effect
