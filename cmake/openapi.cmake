# GET /openapi.json serves src/api/openapi.json, embedded at build time as a string.
set(AG_OPENAPI_JSON "${CMAKE_SOURCE_DIR}/src/api/openapi.json")
set(AG_OPENAPI_CPP "${CMAKE_BINARY_DIR}/generated/openapi_document.cpp")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${AG_OPENAPI_JSON}")
file(READ "${AG_OPENAPI_JSON}" AG_OPENAPI_TEXT)
configure_file("${CMAKE_SOURCE_DIR}/cmake/openapi_document.cpp.in" "${AG_OPENAPI_CPP}" @ONLY)
