// AdmissionCache: what authenticating a session reads besides the session row — its
// registration (with its rules) and the user it admits — kept per (registration, user)
// under the store's authentication generation, which FindSession reads with the session.
//
// The session row itself is read on every call, so a sign-out, a deleted token or an
// expiry takes effect at once on every node. The rest is reused while the generation is the
// one it was read under; the store moves the generation in the same transaction as every
// change to a registration, its rules or links, a user or a group membership, on whichever
// node it is made (store/sql_store.cc, ChangingAuth), so a revocation there is seen by the
// next call here. Only admissions that succeeded are kept.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "domain/identity.h"

namespace psafe::domain {

class AdmissionCache {
 public:
  struct Entry {
    ApiRegistration registration;
    User user;
  };
  using EntryPtr = std::shared_ptr<const Entry>;

  // The entry, if it was read under `generation`.
  EntryPtr Find(int64_t registration_id, int64_t user_id, int64_t generation) const;
  // Keeps `entry`, read under `generation` (an older generation than the newest seen is
  // not kept); returns it either way.
  EntryPtr Put(int64_t generation, Entry entry);

 private:
  static constexpr size_t kMaxEntries = 4096;  // then it starts over: a bound, not an LRU
  mutable std::mutex mu_;
  int64_t generation_ = -1;                                   // GUARDED_BY(mu_)
  std::map<std::pair<int64_t, int64_t>, EntryPtr> entries_;   // GUARDED_BY(mu_)
};

}  // namespace psafe::domain
