// The platforms psafed knows, by the ids BeyondTrust clients send (PlatformID).
// A table, so adding a platform is one line.
#pragma once

#include <cstdint>
#include <string_view>

namespace psafe::domain {

struct Platform {
  int64_t id;
  std::string_view name;       // product name
  std::string_view family;     // the OpenAPI document's Platform enum: Windows|Linux|Unix|macOS
};

inline constexpr Platform kPlatforms[] = {
    {1, "Windows", "Windows"}, {2, "Linux", "Linux"},   {3, "Unix", "Unix"},
    {4, "macOS", "macOS"},     {5, "AIX", "Unix"},      {6, "HP-UX", "Unix"},
    {7, "Solaris", "Unix"},    {25, "Active Directory", "Windows"},
};

// nullptr when unknown.
inline const Platform* FindPlatform(int64_t id) {
  for (const Platform& p : kPlatforms) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

}  // namespace psafe::domain
