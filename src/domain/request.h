// Access requests and their state machine (docs/REQUESTS.md, "Request lifecycle").
// The transitions are one table (request_state.cc); nothing else decides them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psafe::domain {

enum class RequestStatus { kPending, kApproved, kDenied, kCancelled, kReleased, kExpired };
enum class RequestEvent { kApproveEnough, kApproveMore, kDeny, kCancel, kCheckin, kExpire };

std::string_view RequestStatusName(RequestStatus s);
std::optional<RequestStatus> ParseRequestStatus(std::string_view s);
// The next state, or nullopt when `event` is not allowed in `from`.
std::optional<RequestStatus> NextRequestStatus(RequestStatus from, RequestEvent event);

enum class ConflictOption { kNone, kReuse, kRenew };

struct Request {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string user_name;          // derived (joined)
  int64_t account_id = 0;
  int64_t system_id = 0;
  std::string account_name;       // derived
  std::string system_name;        // derived
  std::string domain_name;        // derived
  std::string access_type = "View";
  std::string reason;
  int64_t duration_minutes = 0;
  RequestStatus status = RequestStatus::kPending;
  int64_t required_approvals = 0;
  int64_t approvals = 0;          // derived
  bool rotate_on_checkin = false;
  bool isa = false;
  int64_t ticket_system_id = 0;
  std::string ticket_number;
  int64_t access_policy_schedule_id = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> approved_at;
  std::optional<int64_t> denied_at;
  std::optional<int64_t> cancelled_at;
  std::optional<int64_t> released_at;
  int64_t version = 0;            // bumped by every update (the compare-and-set token)

  // Pending and Approved requests are open until they expire.
  bool IsOpen(int64_t now) const {
    return (status == RequestStatus::kPending || status == RequestStatus::kApproved) && now < expires_at;
  }
  // The status as of `now`: an open request past its expiry reads as Expired.
  RequestStatus StatusAt(int64_t now) const {
    if ((status == RequestStatus::kPending || status == RequestStatus::kApproved) && now >= expires_at) {
      return RequestStatus::kExpired;
    }
    return status;
  }
};

// Whose requests: those on one account or system, or made by one user.
struct RequestScope {
  enum class Of { kAccount, kSystem, kUser } of = Of::kAccount;
  int64_t id = 0;
};

struct RequestFilter {
  int64_t user_id = 0;             // requests made by this user (queue=req)
  bool approver_queue = false;     // instead: pending requests this user may approve
  enum class Which { kAll, kActive, kPending } which = Which::kAll;
};

}  // namespace psafe::domain
