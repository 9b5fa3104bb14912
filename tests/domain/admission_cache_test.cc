#include "domain/admission_cache.h"

#include <gtest/gtest.h>

namespace psafe::domain {
namespace {

AdmissionCache::Entry EntryFor(int64_t reg, int64_t user, std::string name = "svc") {
  AdmissionCache::Entry e;
  e.registration.id = reg;
  e.user.id = user;
  e.user.user_name = std::move(name);
  return e;
}

TEST(AdmissionCacheTest, AnEntryServesOnlyItsOwnGeneration) {
  AdmissionCache cache;
  EXPECT_EQ(cache.Find(1, 2, 0), nullptr);
  cache.Put(5, EntryFor(1, 2));
  ASSERT_NE(cache.Find(1, 2, 5), nullptr);
  EXPECT_EQ(cache.Find(1, 2, 5)->user.user_name, "svc");
  EXPECT_EQ(cache.Find(1, 3, 5), nullptr);  // another user
  EXPECT_EQ(cache.Find(1, 2, 6), nullptr);  // something changed since: read again
  EXPECT_EQ(cache.Find(1, 2, 4), nullptr);
}

TEST(AdmissionCacheTest, ANewerGenerationDropsEverythingAndAnOlderOneIsNotKept) {
  AdmissionCache cache;
  cache.Put(5, EntryFor(1, 2));
  cache.Put(6, EntryFor(1, 3));
  EXPECT_EQ(cache.Find(1, 2, 6), nullptr);
  EXPECT_NE(cache.Find(1, 3, 6), nullptr);
  // A reader that read generation 5 before the change finishes late: its entry is returned
  // to it but not kept.
  auto late = cache.Put(5, EntryFor(1, 2, "stale"));
  EXPECT_EQ(late->user.user_name, "stale");
  EXPECT_EQ(cache.Find(1, 2, 5), nullptr);
  EXPECT_EQ(cache.Find(1, 2, 6), nullptr);
}

}  // namespace
}  // namespace psafe::domain
