// The rules for every name psafed stores and shows back: users, groups, registrations,
// workgroups, assets, systems, accounts, safes, folders, secrets, smart rules, policies,
// password rules, and the names of file secrets (docs/SECURITY.md, "Names").
//
// A name is what an administrator reads to decide "this is the user I mean", so it must
// not be able to look like another one: no control characters, nothing invisible at
// either end ("admin "), no display reordering. Names compare case-insensitively in
// ASCII only (the store's NOCASE), so "ADMIN" is "admin" but "ÄDMIN" is not "ädmin".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace psafe::domain {

inline constexpr size_t kMaxNameChars = 256;
inline constexpr size_t kMaxFileNameBytes = 256;

enum class NameKind {
  kTitle,     // what things are called: shown as-is, any script, scripts may mix
  kIdentity,  // who acts and who holds rights (users, user groups, API registrations)
};

struct NameRules {
  NameKind kind = NameKind::kTitle;
  bool required = true;
  size_t max_chars = kMaxNameChars;
};

// InvalidArgument naming `field` unless `value` is valid UTF-8 of 1 (0 when not required)
// to max_chars characters, holds no control character (C0, DEL, C1), line separator or
// bidirectional control, and neither begins nor ends with whitespace or a zero-width
// space. An identity also may not use letters of more than one of Latin, Greek and
// Cyrillic (what spoofing "аdmin" with a Cyrillic "а" needs), nor the fullwidth or
// mathematical look-alikes of ASCII letters ("ａｄｍｉｎ").
Status ValidateName(std::string_view field, std::string_view value, NameRules rules = {});

// A path parameter that may be an id or a name (Workgroups/{id|name}, Aliases/{id|name}):
// its id when it is a positive integer, nullopt when it is to be read as a name.
std::optional<int64_t> ParseId(std::string_view id_or_name);

// A File secret's name as stored: what the client sent, checked (valid UTF-8, at most
// kMaxFileNameBytes bytes, no control character or bidirectional control) and then
// reduced to its base name, everything up to the last '/' or '\' dropped, because a
// name is never a path. InvalidArgument when it is invalid, or empty, "." or ".." once
// reduced.
Result<std::string> FileBaseName(std::string_view sent);

}  // namespace psafe::domain
