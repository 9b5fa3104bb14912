#include "domain/admission_cache.h"

namespace psafe::domain {

AdmissionCache::EntryPtr AdmissionCache::Find(int64_t registration_id, int64_t user_id, int64_t generation) const {
  std::lock_guard lk(mu_);
  if (generation != generation_) return nullptr;
  auto it = entries_.find({registration_id, user_id});
  return it == entries_.end() ? nullptr : it->second;
}

AdmissionCache::EntryPtr AdmissionCache::Put(int64_t generation, Entry entry) {
  const std::pair<int64_t, int64_t> key{entry.registration.id, entry.user.id};
  auto kept = std::make_shared<const Entry>(std::move(entry));
  std::lock_guard lk(mu_);
  if (generation > generation_) {
    generation_ = generation;
    entries_.clear();
  }
  if (generation == generation_) {
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[key] = kept;
  }
  return kept;
}

}  // namespace psafe::domain
