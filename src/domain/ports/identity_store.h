// Users and user groups. Names compare case-insensitively.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/identity.h"

namespace psafe::domain {

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  virtual Result<int64_t> CreateUser(const User& user) = 0;
  virtual Result<User> FindUserById(int64_t id) = 0;
  virtual Result<User> FindUserByName(std::string_view user_name) = 0;
  virtual Result<int64_t> CreateUserGroup(const UserGroup& group) = 0;
  virtual Status AddUserToGroup(int64_t group_id, int64_t user_id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<std::vector<UserGroup>> ListUserGroups() = 0;
  virtual Result<UserGroup> FindUserGroupById(int64_t id) = 0;
  virtual Result<UserGroup> FindUserGroupByName(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListGroupMembers(int64_t group_id) = 0;
  // Names, e-mail, password hash and enabled flag (not the application flag).
  virtual Status UpdateUser(const User& user) = 0;
  // Removes a user: memberships, registration links and sessions go at once. A user named by
  // requests or approvals stays as a disabled tombstone (its name freed, hidden from every
  // look-up) so that history keeps its owner; any other is deleted.
  virtual Status DeleteUser(int64_t id) = 0;
  virtual Status RemoveUserFromGroup(int64_t group_id, int64_t user_id) = 0;  // NotFound if not a member
  virtual Status DeleteUserGroup(int64_t id) = 0;
  // Enabled users who are members of an administrators' group.
  virtual Result<int64_t> CountAdministrators() = 0;
};

}  // namespace psafe::domain
