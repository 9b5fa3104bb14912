#include "domain/request.h"

namespace psafe::domain {

namespace {

struct Transition {
  RequestStatus from;
  RequestEvent event;
  RequestStatus to;
};

// The whole state machine. A (state, event) pair missing here is refused.
constexpr Transition kTransitions[] = {
    {RequestStatus::kPending, RequestEvent::kApproveEnough, RequestStatus::kApproved},
    {RequestStatus::kPending, RequestEvent::kApproveMore, RequestStatus::kPending},
    {RequestStatus::kPending, RequestEvent::kDeny, RequestStatus::kDenied},
    {RequestStatus::kPending, RequestEvent::kCancel, RequestStatus::kCancelled},
    {RequestStatus::kPending, RequestEvent::kExpire, RequestStatus::kExpired},
    {RequestStatus::kApproved, RequestEvent::kCancel, RequestStatus::kCancelled},
    {RequestStatus::kApproved, RequestEvent::kCheckin, RequestStatus::kReleased},
    {RequestStatus::kApproved, RequestEvent::kExpire, RequestStatus::kExpired},
};

struct StatusName {
  RequestStatus status;
  std::string_view name;
};
constexpr StatusName kStatusNames[] = {
    {RequestStatus::kPending, "Pending"},     {RequestStatus::kApproved, "Approved"},
    {RequestStatus::kDenied, "Denied"},       {RequestStatus::kCancelled, "Cancelled"},
    {RequestStatus::kReleased, "Released"},   {RequestStatus::kExpired, "Expired"},
};

}  // namespace

std::string_view RequestStatusName(RequestStatus s) {
  for (const auto& n : kStatusNames) {
    if (n.status == s) return n.name;
  }
  return "Unknown";
}

std::optional<RequestStatus> ParseRequestStatus(std::string_view s) {
  for (const auto& n : kStatusNames) {
    if (n.name == s) return n.status;
  }
  return std::nullopt;
}

std::optional<RequestStatus> NextRequestStatus(RequestStatus from, RequestEvent event) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.event == event) return t.to;
  }
  return std::nullopt;
}

}  // namespace psafe::domain
