// The platforms psafed knows, by the ids BeyondTrust clients send (PlatformID), and which
// connector (if any) manages their accounts. A table, so adding a platform is one line.
// A platform is manageable (AutoManagementFlag, ManageableFlag) exactly when psafe has a
// connector for it; the others are stored and released, never changed on the target.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/connector_kind.h"

namespace psafe::domain {

// What the target of a platform's accounts is.
enum class TargetKind { kHost, kDatabase, kDirectory };

struct Platform {
  int64_t id;
  std::string_view name;        // product name
  std::string_view short_name;
  std::string_view family;      // the OpenAPI document's Platform enum: Windows|Linux|Unix|macOS
  int64_t default_port;         // 0 = the platform has no port setting
  bool domain_name;             // DomainNameFlag: accounts carry a domain
  bool elevation;               // SupportsElevationFlag: ElevationCommand applies
  bool dss;                     // DSSFlag: SSH keys
  std::string_view session_type;  // DefaultSessionType
  TargetKind target;
  ConnectorKind connector;
};

inline constexpr Platform kPlatforms[] = {
    // id  name                short    family     port  domain elev   dss    session  target / connector
    {1, "Windows", "Windows", "Windows", 0, false, false, false, "RDP", TargetKind::kHost, ConnectorKind::kNone},
    {2, "Linux", "Linux", "Linux", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kSsh},
    {3, "Unix", "Unix", "Unix", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kNone},
    {4, "macOS", "macOS", "macOS", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kNone},
    {5, "AIX", "AIX", "Unix", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kNone},
    {6, "HP-UX", "HPUX", "Unix", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kNone},
    {7, "Solaris", "Solaris", "Unix", 22, false, true, true, "SSH", TargetKind::kHost, ConnectorKind::kNone},
    {10, "LDAP", "LDAP", "Linux", 389, false, false, false, "None", TargetKind::kDirectory, ConnectorKind::kLdap},
    {25, "Active Directory", "AD", "Windows", 0, true, false, false, "RDP", TargetKind::kDirectory,
     ConnectorKind::kNone},
    {79, "PostgreSQL", "PostgreSQL", "Linux", 5432, false, false, false, "None", TargetKind::kDatabase,
     ConnectorKind::kPostgres},
};

// nullptr when unknown.
inline const Platform* FindPlatform(int64_t id) {
  for (const Platform& p : kPlatforms) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

inline bool Manageable(const Platform& p) { return p.connector != ConnectorKind::kNone; }

}  // namespace psafe::domain
