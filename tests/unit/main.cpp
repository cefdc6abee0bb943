#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/log.hpp"

int main(int argc, char* argv[]) {
  // Request logs would drown Catch's report; tests that care install their own sink.
  ag::log::set_sink([](ag::Json) {});
  return Catch::Session().run(argc, argv);
}
