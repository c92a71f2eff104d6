# Build helpers shared by every room.
#
# A room (a folder under src/ holding one concept) becomes one static library,
# kcpp_<name>, from its *.cpp files; every *_test.cpp beside them becomes one
# GoogleTest executable registered in CTest. Rooms list only their direct deps.

# -Wmismatched-new-delete: GCC 12 false positive on Asio coroutine frames.
set(KCPP_WARNINGS -Wall -Wextra -Werror -Wno-mismatched-new-delete)

# Asio and Beast are compiled once (src/util/asio_impl.cpp) instead of in every
# translation unit: it halves build times on these 2-core machines.
set(KCPP_DEFINES
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED
  BOOST_BEAST_USE_STD_STRING_VIEW)

function(kcpp_room name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB _all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(_srcs "")
  set(_tests "")
  foreach(f ${_all})
    if(f MATCHES "_test\\.cpp$")
      list(APPEND _tests ${f})
    else()
      list(APPEND _srcs ${f})
    endif()
  endforeach()
  if(_srcs)
    add_library(kcpp_${name} STATIC ${_srcs})
    set(_vis PUBLIC)
  else()
    add_library(kcpp_${name} INTERFACE)
    set(_vis INTERFACE)
  endif()
  target_include_directories(kcpp_${name} ${_vis} ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(kcpp_${name} ${_vis} ${KCPP_DEFINES})
  if(_srcs)
    target_compile_options(kcpp_${name} PRIVATE ${KCPP_WARNINGS})
  endif()
  target_link_libraries(kcpp_${name} ${_vis} ${ARG_DEPS})
  if(_tests)
    add_executable(kcpp_${name}_test ${_tests})
    target_compile_options(kcpp_${name}_test PRIVATE ${KCPP_WARNINGS})
    target_link_libraries(kcpp_${name}_test PRIVATE kcpp_${name} ${ARG_TEST_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
    add_test(NAME unit.${name} COMMAND kcpp_${name}_test)
  endif()
endfunction()
