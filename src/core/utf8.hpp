#pragma once
#include <cstddef>
#include <string_view>

namespace ag {

/// The characters (Unicode code points) of valid UTF-8 text: what JSON Schema's `maxLength`
/// and the API's "N characters" count, where `size()` counts bytes.
std::size_t code_points(std::string_view utf8);

}  // namespace ag
