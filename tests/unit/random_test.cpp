#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/ctx.hpp"

// system_random serves small draws from a pool: every draw must still be fresh bytes,
// across refills and whatever the mix of sizes.
TEST_CASE("system_random never serves the same bytes twice, pooled or not") {
  std::set<std::string> seen;
  for (std::size_t size : {16, 32, 16, 64, 65, 1, 300, 16, 48}) {
    for (int round = 0; round < 40; ++round) {
      std::string draw(size, '\0');
      ag::system_random(reinterpret_cast<std::uint8_t*>(draw.data()), draw.size());
      if (size >= 16) CHECK(seen.insert(draw).second);
    }
  }
}

TEST_CASE("system_random fills the whole buffer of a draw larger than the pool") {
  std::vector<std::uint8_t> big(4096, 0);
  ag::system_random(big.data(), big.size());
  std::size_t zeros = 0;
  for (auto b : big) zeros += b == 0;
  CHECK(zeros < 64);  // about 16 expected from uniform bytes
}
