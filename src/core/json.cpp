#include "core/json.hpp"

#include <charconv>
#include <unordered_set>
#include <vector>

namespace ag {

namespace {

/// nlohmann's own DOM builder (what Json::parse uses), stopping the parse at the first
/// object or array nested deeper than the limit.
class DepthLimitedBuilder {
 public:
  DepthLimitedBuilder(Json& result, int max_depth, DuplicateKeys duplicates)
      : dom_(result, /*allow_exceptions=*/false), max_depth_(max_depth), duplicates_(duplicates) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(Json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(Json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(Json::number_float_t value, const Json::string_t& text) { return dom_.number_float(value, text); }
  bool string(Json::string_t& value) { return dom_.string(value); }
  bool binary(Json::binary_t& value) { return dom_.binary(value); }
  bool key(Json::string_t& value) {
    if (duplicates_ == DuplicateKeys::refuse && !keys_.back().insert(value).second) {
      error_ = "the key " + dump(Json(value)) + " appears twice in one object";
      return false;
    }
    return dom_.key(value);
  }
  bool start_object(std::size_t size) {
    if (duplicates_ == DuplicateKeys::refuse) keys_.emplace_back();
    return deeper() && dom_.start_object(size);
  }
  bool end_object() {
    --depth_;
    if (duplicates_ == DuplicateKeys::refuse) keys_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t size) { return deeper() && dom_.start_array(size); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  template <typename Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    error_ = "syntax error at byte " + std::to_string(position);
    return dom_.parse_error(position, token, error);
  }

  /// Why the parse stopped ("" when it did not).
  const std::string& error() const { return error_; }

 private:
  bool deeper() {
    if (++depth_ <= max_depth_) return true;
    error_ = "nested deeper than " + std::to_string(max_depth_) + " levels";
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int max_depth_;
  DuplicateKeys duplicates_;
  std::vector<std::unordered_set<std::string>> keys_;  // of each open object, when refusing duplicates
  int depth_ = 0;
  std::string error_;
};

}  // namespace

JsonParse parse_json_checked(std::string_view text, DuplicateKeys duplicates, int max_depth) {
  Json value;
  DepthLimitedBuilder builder(value, max_depth, duplicates);
  if (!Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json, /*strict=*/true)) {
    return {std::nullopt, builder.error()};
  }
  return {std::move(value), {}};
}

std::optional<Json> parse_json(std::string_view text, int max_depth) {
  return std::move(parse_json_checked(text, DuplicateKeys::last_wins, max_depth).value);
}

namespace {

std::string nlohmann_dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

/// Printable ASCII without quotes or backslashes is its own JSON text.
bool is_plain(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_string(std::string& out, const std::string& text) {
  if (!is_plain(text)) {
    out += nlohmann_dump(Json(text));
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out += '{';
      const char* separator = "";
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        out += separator;
        append_string(out, key);
        out += ':';
        append(out, member);
        separator = ",";
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      const char* separator = "";
      for (const auto& item : value.get_ref<const Json::array_t&>()) {
        out += separator;
        append(out, item);
        separator = ",";
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      return append_string(out, value.get_ref<const std::string&>());
    case Json::value_t::number_integer:
      return append_integer(out, value.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return append_integer(out, value.get<std::uint64_t>());
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    default:  // floats, binary, discarded
      out += nlohmann_dump(value);
  }
}

}  // namespace

// The same text as nlohmann's dump, which every request pays for a few times (the step,
// the response body, the access line): its serializer decodes UTF-8 byte by byte, while
// almost every string we write is plain ASCII that can be copied as it is.
std::string dump(const Json& value) {
  std::string out;
  append(out, value);
  return out;
}

namespace {
/// The member `key` of an object as a T, when present and of the type `has_type` checks.
template <typename T>
std::optional<T> typed_field(const Json& object, std::string_view key, bool (Json::*has_type)() const noexcept) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !((*it).*has_type)()) return std::nullopt;
  return it->get<T>();
}
}  // namespace

std::optional<std::string> string_field(const Json& object, std::string_view key) {
  return typed_field<std::string>(object, key, &Json::is_string);
}

std::optional<std::int64_t> int_field(const Json& object, std::string_view key) {
  return typed_field<std::int64_t>(object, key, &Json::is_number_integer);
}

std::optional<bool> bool_field(const Json& object, std::string_view key) {
  return typed_field<bool>(object, key, &Json::is_boolean);
}

}  // namespace ag
