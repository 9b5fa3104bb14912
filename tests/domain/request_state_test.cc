#include <gtest/gtest.h>

#include "domain/request.h"

namespace psafe::domain {
namespace {

constexpr RequestStatus kAll[] = {RequestStatus::kPending,   RequestStatus::kApproved,
                                  RequestStatus::kDenied,    RequestStatus::kCancelled,
                                  RequestStatus::kReleased,  RequestStatus::kExpired};
constexpr RequestEvent kEvents[] = {RequestEvent::kApproveEnough, RequestEvent::kApproveMore,
                                    RequestEvent::kDeny,          RequestEvent::kCancel,
                                    RequestEvent::kCheckin,       RequestEvent::kExpire};

// Every (state, event) pair, against the table in docs/REQUESTS.md.
TEST(RequestStateTest, TransitionTableIsExactlyTheDocumentedOne) {
  using S = RequestStatus;
  using E = RequestEvent;
  struct Expected {
    S from;
    E event;
    S to;
  };
  const Expected allowed[] = {
      {S::kPending, E::kApproveEnough, S::kApproved}, {S::kPending, E::kApproveMore, S::kPending},
      {S::kPending, E::kDeny, S::kDenied},            {S::kPending, E::kCancel, S::kCancelled},
      {S::kPending, E::kExpire, S::kExpired},         {S::kApproved, E::kCancel, S::kCancelled},
      {S::kApproved, E::kCheckin, S::kReleased},      {S::kApproved, E::kExpire, S::kExpired},
  };
  int checked = 0;
  for (S from : kAll) {
    for (E event : kEvents) {
      std::optional<S> want;
      for (const Expected& e : allowed) {
        if (e.from == from && e.event == event) want = e.to;
      }
      EXPECT_EQ(NextRequestStatus(from, event), want)
          << RequestStatusName(from) << " x event " << static_cast<int>(event);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 36);
}

TEST(RequestStateTest, FinalStatesAcceptNothing) {
  for (RequestStatus s : {RequestStatus::kDenied, RequestStatus::kCancelled, RequestStatus::kReleased,
                          RequestStatus::kExpired}) {
    for (RequestEvent e : kEvents) EXPECT_FALSE(NextRequestStatus(s, e).has_value());
  }
}

TEST(RequestStateTest, OpenRequestsReadAsExpiredAfterTheirExpiry) {
  Request r;
  r.status = RequestStatus::kApproved;
  r.expires_at = 1000;
  EXPECT_EQ(r.StatusAt(999), RequestStatus::kApproved);
  EXPECT_TRUE(r.IsOpen(999));
  EXPECT_EQ(r.StatusAt(1000), RequestStatus::kExpired);
  EXPECT_FALSE(r.IsOpen(1000));
  r.status = RequestStatus::kReleased;
  EXPECT_EQ(r.StatusAt(5000), RequestStatus::kReleased);
}

TEST(RequestStateTest, StatusNamesRoundTrip) {
  for (RequestStatus s : kAll) EXPECT_EQ(ParseRequestStatus(RequestStatusName(s)), s);
  EXPECT_FALSE(ParseRequestStatus("Active").has_value());
}

}  // namespace
}  // namespace psafe::domain
