# Writes a C++ source that holds a file's bytes as a std::string_view, so that a
# binary built with the project (kcpp's pause) can be embedded in another.
# Usage: cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DNAMESPACE=<ns> -DSYMBOL=<name> -P embed.cmake
# Every byte is written as a \xNN escape: a string literal compiles far faster
# than a braced array, and an escape before a backslash cannot swallow a digit.
file(READ "${INPUT}" hex HEX)
file(SIZE "${INPUT}" size)
string(REGEX REPLACE "(..)" "\\\\x\\1" escaped "${hex}")
# One source line per 64 bytes.
string(REPEAT "\\\\x.." 64 line)
string(REGEX REPLACE "(${line})" "\\1\"\n\"" escaped "${escaped}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${name} by cmake/embed.cmake: do not edit.\n"
  "#include <string_view>\n"
  "namespace ${NAMESPACE} {\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}{\n\"${escaped}\", ${size}};\n"
  "}  // namespace ${NAMESPACE}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
