// Message framing rules Beast leaves to its user (RFC 9112 §6). Beast treats a request as
// chunked only when "chunked" is the final transfer coding; with any other coding and no
// Content-Length it reads no body at all, so the bytes of the body would be parsed as the
// next request on the connection (request smuggling behind a proxy that frames the same
// bytes differently). These checks run on the header, before any body byte is read; a
// refusal is answered 400 and the connection is closed.
#pragma once

#include <span>
#include <string_view>

#include "common/status.h"

namespace psafe::http {

// `values`: every Transfer-Encoding field of the request, in order (none: no coding).
// psafed implements one transfer coding, chunked, so the only acceptable list is exactly
// "chunked" (any case, optional whitespace), on HTTP/1.1. Refused: any other or extra
// coding ("gzip", "identity", "xchunked", "chunked, identity", "gzip, chunked"), an
// empty value, and Transfer-Encoding on HTTP/1.0, whose framing RFC 9112 §6.1 says to
// treat as faulty. InvalidArgument on refusal.
Status CheckTransferEncoding(std::span<const std::string_view> values, unsigned http_version);

}  // namespace psafe::http
