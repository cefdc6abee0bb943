#pragma once
// Builders for the effects the shim performs (src/abi/README.md, "Effects"). Adding an
// effect: one builder here, one executor in js-shim/effects/, one fake in tests/unit.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "core/json.hpp"

namespace ag::effect {

/// A SQL statement with $1..$n parameters.
Json sql(std::string_view query, Json params = Json::array());

/// Where a successful (2xx) reply's bulk bytes go instead of into the core: R2 objects
/// <key_prefix><n><extension>, n from 1. With `json_items` the reply is JSON and each item of
/// that top-level array holds a file base64-encoded in `json_field` (OpenAI's b64_json): the
/// field is decoded into R2 and removed from the body the core gets. Without it the whole
/// body is the one file. The result's `stored` lists the objects ({key, size, content_type}).
struct ReplyFiles {
  std::string key_prefix;
  std::string extension;
  std::string content_type;  // empty: the reply's own
  std::string json_items;
  std::string json_field;
  std::uint64_t max_bytes = 0;  // the whole reply's cap; over it the fetch fails `too_large`
};

struct FetchSpec {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::optional<std::string> body;
  std::int64_t timeout_ms = 10'000;
  std::uint64_t max_bytes = 1 << 20;
  std::optional<ReplyFiles> store;
  /// A 2xx reply's body is held for the task to read piece by piece (body_read) instead of
  /// read whole: the result carries `handle` in place of `body`. Any other reply is read whole.
  bool stream = false;
};
/// An outgoing HTTP request.
Json fetch(const FetchSpec& spec);

/// The next piece of a reply body a streamed fetch holds as `handle`: the result is its bytes
/// as `body`, or `{"done": true}` once the body has ended; errors `timeout`, `network`.
Json body_read(std::int64_t handle);

/// Has the runtime's WebCrypto verify `signature` (raw bytes, sent base64url) over `data` with
/// `alg` ("ES256", "RS256" or "EdDSA") and the public JWK `key`; the result is {"valid": bool}.
Json crypto_verify(std::string_view alg, const Json& key, std::string_view data, std::string_view signature);

/// Sends `body` (JSON) to the Cloudflare Queue bound as `queue`, delivered after `delay_seconds`
/// (0..kMaxQueueDelaySeconds, the Queue's own limit); the result is {}.
inline constexpr std::int64_t kMaxQueueDelaySeconds = 12 * 3600;
Json queue_send(std::string_view queue, const Json& body, std::int64_t delay_seconds = 0);

/// Resumes after `ms` milliseconds (at most 60,000): the result is {}.
Json sleep(std::int64_t ms);

/// Writes `text` to the body of a streamed response (StreamedBody): the result is {}, or the
/// error `closed` once the client has gone.
Json stream_write(std::string_view text);

/// The request body, copied in up to `max_bytes`.
Json request_body(std::uint64_t max_bytes);

/// Streams the request body into R2 at `key` without it entering the core.
Json r2_put_request_body(std::string_view key, std::string_view content_type, std::uint64_t max_bytes);

/// Copies an http(s) resource into R2 at `key`, streamed by the shim (bytes never enter the
/// core); its own content type is kept.
Json r2_put_from_url(std::string_view key, std::string_view url, std::uint64_t max_bytes, std::int64_t timeout_ms);

/// Stores base64 `data`, decoded by the shim, at `key`.
Json r2_put_base64(std::string_view key, std::string_view data, std::string_view content_type, std::uint64_t max_bytes);

struct R2Range {
  std::optional<std::uint64_t> offset;
  std::optional<std::uint64_t> length;
  std::optional<std::uint64_t> suffix;
};
/// Opens an R2 object for streaming into the response (result carries a `handle`).
Json r2_get_stream(std::string_view key, const std::optional<R2Range>& range,
                   const std::optional<std::string>& if_none_match);

/// Reads the first `max_bytes` of an R2 object into the core (small text only: media stays out
/// of wasm); the result's `size` says whether that was all of it.
Json r2_read(std::string_view key, std::uint64_t max_bytes);

/// Metadata of an R2 object.
Json r2_head(std::string_view key);

/// Deletes an R2 object (deleting a missing key succeeds).
Json r2_delete(std::string_view key);
/// Deletes up to 1,000 R2 objects in one call.
Json r2_delete_many(const std::vector<std::string>& keys);

/// One page of the keys under `prefix`, continuing after `cursor`.
Json r2_list(std::string_view prefix, const std::optional<std::string>& cursor, std::uint32_t limit);

}  // namespace ag::effect
