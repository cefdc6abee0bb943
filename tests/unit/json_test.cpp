#include <catch2/catch.hpp>

#include "core/json.hpp"

namespace {
std::string reference(const ag::Json& value) { return value.dump(-1, ' ', false, ag::Json::error_handler_t::replace); }

/// A document `depth` levels deep, objects and arrays in turn: {"k":[{"k":[...]}]}.
std::string nested(int depth, std::string_view leaf = "1") {
  std::string open, close;
  for (int level = 0; level < depth; ++level) {
    open += level % 2 ? "[" : "{\"k\":";
    close.insert(0, level % 2 ? "]" : "}");
  }
  return open + std::string(leaf) + close;
}

std::string every_control() {
  std::string text = "start";
  for (char c = 0; c < 0x20; ++c) text += c;
  return text + "end";
}
}  // namespace

// ag::dump copies plain strings itself and leaves the rest to nlohmann: the text must be
// exactly what nlohmann writes.
TEST_CASE("dump writes the same text as nlohmann's dump") {
  ag::Json value = {
      {"plain", "GET /health"},
      {"quote\"key", "back\\slash"},
      {"control", std::string("tab\there\nnul\0end", 16)},
      {"unicode", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
      {"invalid utf-8", "bad \xff\xfe byte"},
      {"delete", "\x7f"},
      {"every control", every_control()},
      {"json text", "{\"ok\":true,\"path\":\"C:\\\\tmp\",\"s\":\"\\\"\"}"},
      {"ints", {0, -1, 42, INT64_MIN, INT64_MAX}},
      {"unsigned", UINT64_MAX},
      {"floats", {0.5, -1e300, 3.0, 1.0 / 3}},
      {"flags", {true, false, nullptr}},
      {"empty", {{"object", ag::Json::object()}, {"array", ag::Json::array()}, {"string", ""}}},
      {"nested", {{{"a", {{"b", {1, "two", {{"c", nullptr}}}}}}}}},
  };
  CHECK(ag::dump(value) == reference(value));
  for (const auto& [key, member] : value.items()) CHECK(ag::dump(member) == reference(member));
  CHECK(ag::dump(ag::Json()) == "null");
  CHECK(ag::dump("x") == "\"x\"");
}

TEST_CASE("field helpers read a member only when it has the asked type") {
  ag::Json object = {{"s", "text"}, {"i", 7}, {"b", true}, {"f", false}};
  CHECK(ag::string_field(object, "s") == "text");
  CHECK(ag::int_field(object, "i") == 7);
  CHECK(ag::bool_field(object, "b") == true);
  CHECK(ag::bool_field(object, "f") == false);
  CHECK_FALSE(ag::bool_field(object, "i"));
  CHECK_FALSE(ag::bool_field(object, "missing"));
  CHECK_FALSE(ag::int_field(object, "b"));
  CHECK_FALSE(ag::string_field(object, "i"));
  CHECK_FALSE(ag::bool_field(ag::Json::array({true}), "0"));
}

TEST_CASE("parse_json refuses documents nested deeper than the limit") {
  CHECK(ag::parse_json(nested(ag::kMaxJsonDepth)));
  CHECK_FALSE(ag::parse_json(nested(ag::kMaxJsonDepth + 1)));
  CHECK_FALSE(ag::parse_json(nested(ag::kMaxJsonDepth, "[]")));
  CHECK_FALSE(ag::parse_json(std::string(1 << 20, '[') + std::string(1 << 20, ']')));

  // a scalar is level 0; siblings do not add up, only nesting does
  CHECK(ag::parse_json("1", 0));
  CHECK_FALSE(ag::parse_json("[]", 0));
  CHECK(ag::parse_json("[[1],[2],{\"a\":3}]", 2));
  CHECK_FALSE(ag::parse_json("[[1],[[2]]]", 2));

  // what is left of a refused document is no value, and malformed text is still refused
  CHECK_FALSE(ag::parse_json("[1, 2"));
  CHECK_FALSE(ag::parse_json("[1] 2"));
  CHECK(ag::parse_json(" {\"a\": [1, 2.5, -3, true, null, \"x\"]} ") ==
        ag::Json{{"a", {1, 2.5, -3, true, nullptr, "x"}}});
}
