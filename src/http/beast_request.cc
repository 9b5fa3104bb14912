#include "http/beast_request.h"

#include <utility>
#include <vector>

#include "http/framing.h"

namespace psafe::http {

Status CheckFraming(const BeastRequest& header) {
  std::vector<std::string_view> codings;
  auto [first, last] = header.equal_range(boost::beast::http::field::transfer_encoding);
  for (auto it = first; it != last; ++it) codings.push_back(it->value());
  return CheckTransferEncoding(codings, header.version());
}

Request FromBeast(BeastRequest&& msg, std::string remote_address, std::string client_certificate) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  for (const auto& f : msg) req.headers.Add(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(msg.body());
  req.remote_address = std::move(remote_address);
  req.client_certificate = std::move(client_certificate);
  return req;
}

}  // namespace psafe::http
