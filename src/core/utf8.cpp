#include "core/utf8.hpp"

namespace ag {

std::size_t code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (unsigned char c : utf8) count += (c & 0xC0) != 0x80;  // every byte but continuation bytes
  return count;
}

}  // namespace ag
