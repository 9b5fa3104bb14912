// Result<T>: a value or a non-OK Status (C++20 stand-in for std::expected, which GCC 12
// only offers under -std=c++23 and clang-tidy 14 cannot parse).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace psafe {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                          // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace psafe

// Early-return helpers, the only macros in the code base: they keep error paths one line.
#define PSAFE_CONCAT_INNER(a, b) a##b
#define PSAFE_CONCAT(a, b) PSAFE_CONCAT_INNER(a, b)

// The temporary is unique per expansion so the macro nests (e.g. inside a lambda passed
// to a call that is itself checked).
#define PSAFE_RETURN_IF_ERROR(expr) \
  PSAFE_RETURN_IF_ERROR_IMPL(PSAFE_CONCAT(psafe_status_, __COUNTER__), expr)
#define PSAFE_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                        \
    ::psafe::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;                \
  } while (0)
#define PSAFE_ASSIGN_OR_RETURN(lhs, expr) \
  PSAFE_ASSIGN_OR_RETURN_IMPL(PSAFE_CONCAT(psafe_result_, __COUNTER__), lhs, expr)
#define PSAFE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
