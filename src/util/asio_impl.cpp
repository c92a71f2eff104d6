// The one translation unit that compiles Asio and Beast (see cmake/kcpp.cmake).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
