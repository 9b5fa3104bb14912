// The one conversion from a request Beast parsed to psafed's transport-neutral
// http::Request: the network server and the whole-request fuzzer both use it, so handlers
// see the same thing either way.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace psafe::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// The framing checks of http/framing.h on a parsed header (before its body is read).
Status CheckFraming(const BeastRequest& header);

// Moves the body; `client_certificate` is the verified peer subject, or empty.
Request FromBeast(BeastRequest&& msg, std::string remote_address, std::string client_certificate);

}  // namespace psafe::http
