// Router: a table of (method, path pattern) → handler. Knows nothing of what the
// handlers do. Matching rules (the product's):
//  - literal segments compare case-insensitively; "{name}" matches any one segment;
//  - one trailing slash and an empty query ("?") are ignored;
//  - the query is parsed into Request::query (case-insensitive names);
//  - Request::exact_spelling tells whether every literal segment was spelled byte for
//    byte as registered (the API layer uses it to pick the OpenAPI document's dialect).
// A path that matches with another method answers 405 with Allow.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace psafe::http {

using Handler = std::function<Response(Request&)>;
// True when a request to the route blocks its thread on work outside psafed's store (a
// password hash, a call to a managed system): the server runs it on its worker pool, with
// every write durable before the handler goes on. Null: never.
using Blocking = bool (*)(const Request&);

class Router {
 public:
  explicit Router(ErrorResponder error) : error_(std::move(error)) {}

  // pattern: "/BeyondTrust/api/public/v3/ManagedSystems/{id}/ManagedAccounts".
  void Add(std::string method, std::string_view pattern, Handler handler, Blocking blocking = nullptr);

  struct Segment {
    bool is_param;
    std::string spelling;  // as registered
    std::string lower;
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    Handler handler;
    Blocking blocking;
  };
  // The route for `req` (filling its segments, parameters and query), or null with the
  // error to answer in `*error`.
  const Route* Match(Request& req, Response* error) const;
  // Match, then the handler.
  Response Dispatch(Request& req) const;

 private:
  ErrorResponder error_;
  std::vector<Route> routes_;
};

}  // namespace psafe::http
