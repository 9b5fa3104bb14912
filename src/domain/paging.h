// Paging of list results: what a caller asks for (Page) and what it gets (Paged).
#pragma once

#include <cstdint>
#include <vector>

namespace psafe::domain {

struct Page {
  int64_t limit = 0;  // 0 = no limit
  int64_t offset = 0;
};

template <typename T>
struct Paged {
  std::vector<T> items;
  int64_t total = 0;
};

}  // namespace psafe::domain
