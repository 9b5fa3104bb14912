// The single translation unit that compiles Asio and Beast (separate compilation keeps
// every other file free of their ~1 GB, 15 s compile cost).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
