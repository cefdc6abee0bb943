// Runs the official JSON-Schema-Test-Suite (https://github.com/json-schema-org/JSON-Schema-Test-Suite)
// through src/inputs/keywords: every case whose schema uses only the keywords it supports (the
// others are counted as skipped, not run). `ag_schema_suite DIR` reads every *.json under DIR
// (a draft's folder), prints each failure and each file's count of cases run, and ends with
// "N passed, M failed, K skipped".
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/json.hpp"
#include "inputs/keywords.hpp"

namespace fs = std::filesystem;

int main(int argc, char* argv[]) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR (a draft's folder of JSON-Schema-Test-Suite, e.g. .../tests/draft7)\n",
                 argv[0]);
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(argv[1]))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  int passed = 0, failed = 0, skipped = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto groups = ag::parse_json(text.str());
    if (!groups || !groups->is_array()) {
      std::printf("not ok %s: not a test file\n", file.c_str());
      ++failed;
      continue;
    }
    const int before = passed + failed;
    for (const ag::Json& group : *groups) {
      const ag::Json& schema = group["schema"];
      const ag::Json& tests = group["tests"];
      if (ag::inputs::unsupported(schema, "schema")) {
        skipped += static_cast<int>(tests.size());
        continue;
      }
      for (const ag::Json& test : tests) {
        const bool valid = !ag::inputs::violation(schema, test["data"], "");
        if (valid == test["valid"].get<bool>()) {
          ++passed;
          continue;
        }
        ++failed;
        std::printf("not ok %s: %s: %s (expected %s)\n", file.filename().c_str(),
                    group["description"].get<std::string>().c_str(), test["description"].get<std::string>().c_str(),
                    valid ? "invalid" : "valid");
      }
    }
    if (passed + failed > before) std::printf("%s: %d cases run\n", file.filename().c_str(), passed + failed - before);
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 && passed > 0 ? 0 : 1;
}
