// Access requests and their approvals. Every transition is a compare-and-set.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/request.h"

namespace psafe::domain {

struct CreateRequestOutcome {
  int64_t id = 0;
  bool reused = false;
  std::optional<int64_t> renewed_id;  // the open request `renew` cancelled
};

class RequestStore {
 public:
  virtual ~RequestStore() = default;

  // Inserts `r` unless the user has an open request (of the same kind, ISA or not) for the
  // account: then Conflict
  // (kNone), the open id (kReuse), or it is cancelled and `r` inserted (kRenew). With
  // `max_open` > 0, Conflict too when the account already has that many open requests of
  // anyone's. The checks and the insert are one transaction.
  virtual Result<CreateRequestOutcome> CreateRequest(const Request& r,
                                                     ConflictOption option, int64_t now,
                                                     int64_t max_open = 0) = 0;
  virtual Result<Request> FindRequest(int64_t id) = 0;
  virtual Result<std::vector<Request>> ListRequests(const RequestFilter& f,
                                                            int64_t now) = 0;
  // Persists status, timestamps and the rotate flag: a compare-and-set on `r.version` (as
  // read). Conflict when the request changed since, so of two racing transitions one wins.
  virtual Status UpdateRequest(const Request& r) = 0;
  // Conflict if this user already decided on this request.
  virtual Status AddApproval(int64_t request_id, int64_t user_id, bool approve,
                             std::string_view reason, int64_t at) = 0;
  virtual Result<std::vector<Request>> ListOpenRequestsExpiredBy(int64_t now) = 0;
  // Cancels every open request of `user_id` (a removed user's requests must not hold the
  // account); returns them as they were.
  virtual Result<std::vector<Request>> CancelOpenRequestsOf(int64_t user_id, int64_t now) = 0;
  // The open (Pending or Approved, unexpired at `now`) requests on an account, a system or
  // by a user, oldest first.
  virtual Result<std::vector<Request>> ListOpenRequests(const RequestScope& scope, int64_t now) = 0;
};

}  // namespace psafe::domain
