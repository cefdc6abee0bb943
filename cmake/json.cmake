# nlohmann/json from Debian (nlohmann-json3-dev). The wasm sysroots must not see the
# whole of /usr/include, so a build-tree folder holds just a link to the nlohmann headers.
set(AG_JSON_HEADERS "/usr/include/nlohmann" CACHE PATH "Folder holding nlohmann/json.hpp")
if(NOT EXISTS "${AG_JSON_HEADERS}/json.hpp")
  message(FATAL_ERROR "nlohmann/json not found in ${AG_JSON_HEADERS}: apt-get install nlohmann-json3-dev")
endif()
set(AG_JSON_INCLUDE "${CMAKE_BINARY_DIR}/json-include")
file(MAKE_DIRECTORY "${AG_JSON_INCLUDE}")
if(NOT EXISTS "${AG_JSON_INCLUDE}/nlohmann")
  file(CREATE_LINK "${AG_JSON_HEADERS}" "${AG_JSON_INCLUDE}/nlohmann" SYMBOLIC)
endif()
add_library(ag_json INTERFACE)
target_include_directories(ag_json SYSTEM INTERFACE "${AG_JSON_INCLUDE}")
add_library(ag::json ALIAS ag_json)
