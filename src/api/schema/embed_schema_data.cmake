# Writes OUTPUT: a .cpp defining kcpp::api::embeddedSchemaFiles() over the INPUTS
# (data/*.yaml, separated by |), each as a raw string literal. Run with cmake -P.
set(_delim "kcpp_schema")
set(_body "")
set(_entries "")
set(_index 0)
string(REPLACE "|" ";" _inputs "${INPUTS}")
foreach(_file ${_inputs})
  file(READ ${_file} _text)
  string(FIND "${_text}" ")${_delim}\"" _clash)
  if(NOT _clash EQUAL -1)
    message(FATAL_ERROR "${_file} contains the raw string delimiter )${_delim}\"")
  endif()
  get_filename_component(_name ${_file} NAME)
  # Split into literals of at most 60000 bytes, under compilers' literal limits.
  string(LENGTH "${_text}" _len)
  set(_pieces "")
  set(_pos 0)
  while(_pos LESS _len)
    string(SUBSTRING "${_text}" ${_pos} 60000 _piece)
    string(APPEND _pieces "R\"${_delim}(${_piece})${_delim}\"\n")
    math(EXPR _pos "${_pos} + 60000")
  endwhile()
  if(_pieces STREQUAL "")
    set(_pieces "\"\"\n")
  endif()
  string(APPEND _body "const char kFile${_index}[] =\n${_pieces};\n")
  string(APPEND _entries "    {\"${_name}\", {kFile${_index}, sizeof(kFile${_index}) - 1}},\n")
  math(EXPR _index "${_index} + 1")
endforeach()
set(_out "// Generated from src/api/schema/data/*.yaml by embed_schema_data.cmake. Do not edit.
#include \"api/schema/embedded_schema_data.h\"

namespace kcpp::api {
namespace {
${_body}
const SchemaFile kFiles[] = {
${_entries}    {\"\", {}},
};
}  // namespace

std::span<const SchemaFile> embeddedSchemaFiles() {
  return std::span<const SchemaFile>(kFiles, ${_index});
}

}  // namespace kcpp::api
")
file(WRITE ${OUTPUT}.tmp "${_out}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
