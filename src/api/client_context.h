// What the transport knows about a caller, as the domain's ClientContext: the peer
// address, a verified client certificate, and the PSRUN factor headers
// (common/psrun_factors.h). A malformed factor header counts as no factors at all.
#pragma once

#include "domain/client_rules.h"
#include "http/message.h"

namespace psafe::api {

// Everything, for a sign-in with an API key.
domain::ClientContext ClientContextOf(const http::Request& req);
// Address and certificate only: what calls on a session or token are re-checked against,
// so the factor headers are not decoded on every such call.
domain::ClientContext TransportContextOf(const http::Request& req);

// The X-PSRUN-* headers, decoded; nullopt when absent or malformed.
std::optional<PsrunFactors> ReadPsrunFactors(const http::Headers& headers);

}  // namespace psafe::api
