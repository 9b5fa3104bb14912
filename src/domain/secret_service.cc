#include "domain/secret_service.h"

#include "crypto/random.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

constexpr size_t kMaxDescriptionChars = 256;
constexpr size_t kMaxNotesChars = 4000;

// Characters, not bytes: the limits the product documents are in characters. The input
// is valid UTF-8 (the JSON layer rejects anything else), so counting lead bytes suffices.
size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status CheckText(std::string_view field, std::string_view value, size_t max_chars, bool required) {
  if (required && value.empty()) return Status::InvalidArgument(std::string(field) + " is required");
  if (CharCount(value) > max_chars) {
    return Status::InvalidArgument(std::string(field) + " is longer than " + std::to_string(max_chars) +
                                   " characters");
  }
  if (value.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(field) + " contains a NUL character");
  }
  return Status::OK();
}

Status CheckFolderName(std::string_view name) {
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", name));
  if (name.find('/') != std::string_view::npos) return Status::InvalidArgument("Name may not contain '/'");
  // Paths are names joined by '/': "." and ".." would read as directions to every client.
  if (name == "." || name == "..") return Status::InvalidArgument("Name may not be '.' or '..'");
  return Status::OK();
}

bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

Status CheckGuid(std::string_view what, std::string_view id) {
  if (!IsGuid(id)) return Status::InvalidArgument(std::string(what) + " must be a GUID");
  return Status::OK();
}

// What a folder the caller may not read, and one that does not exist, both answer.
constexpr std::string_view kFolderNotFound = "folder not found";

std::string_view AccessName(FolderAccess a) {
  switch (a) {
    case FolderAccess::kManage: return "manage";
    case FolderAccess::kWrite: return "write";
    default: return "read";
  }
}

// The ciphertext of a secret's value is bound to its row.
std::string ValueContext(std::string_view secret_id) { return "secrets/" + std::string(secret_id) + "/value"; }

// Applies `in` over `x` (absent fields keep their value) and checks the result.
Status Merge(SecretInput& in, Secret& x) {
  auto take = [](std::optional<std::string>& from, std::string& to) {
    if (from) to = std::move(*from);
  };
  take(in.title, x.title);
  take(in.description, x.description);
  take(in.username, x.username);
  take(in.notes, x.notes);
  take(in.urls_json, x.urls_json);
  take(in.owners_json, x.owners_json);
  take(in.owner_type, x.owner_type);
  if (in.file_name) {
    PSAFE_ASSIGN_OR_RETURN(x.file_name, FileBaseName(*in.file_name));
  }
  if (in.owner_id) x.owner_id = *in.owner_id;
  if (in.password_rule_id) x.password_rule_id = *in.password_rule_id;
  PSAFE_RETURN_IF_ERROR(ValidateName("Title", x.title));
  PSAFE_RETURN_IF_ERROR(CheckText("Description", x.description, kMaxDescriptionChars, false));
  PSAFE_RETURN_IF_ERROR(CheckText("Username", x.username, kMaxNameChars, false));
  PSAFE_RETURN_IF_ERROR(CheckText("Notes", x.notes, kMaxNotesChars, false));
  if (x.owner_type != "User" && x.owner_type != "Group") {
    return Status::InvalidArgument("OwnerType must be User or Group");
  }
  if (!in.value) return Status::OK();
  const std::string_view v = in.value->view();
  switch (x.type) {
    case SecretType::kCredential:
      return CheckText("Password", v, kMaxSecretPasswordChars, true);
    case SecretType::kText:
      return CheckText("Text", v, kMaxTextSecretChars, true);
    case SecretType::kFile:
      if (x.file_name.empty()) return Status::InvalidArgument("FileName is required");
      if (v.size() > kMaxFileSecretBytes) return Status::TooLarge("a file secret may be at most 5 MiB");
      x.file_size = static_cast<int64_t>(v.size());
      return Status::OK();
  }
  return Status::OK();
}

std::string_view RequiredValueField(SecretType t) {
  switch (t) {
    case SecretType::kCredential: return "Password";
    case SecretType::kText: return "Text";
    case SecretType::kFile: return "file";
  }
  return "value";
}

}  // namespace

SecretService::SecretService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                             AuditTrail& audit)
    : ports_(ports), keyring_(keyring), clock_(clock), audit_(audit) {}

Result<FolderAccess> SecretService::AccessTo(const Principal& p, std::string_view folder_id) {
  if (p.is_administrator()) return FolderAccess::kManage;
  return ports_.secrets.FolderAccessFor(p.user.id, folder_id);
}

Status SecretService::RequireAccess(const Principal& p, std::string_view folder_id, std::string_view folder_path,
                                    FolderAccess need, std::string_view what) {
  PSAFE_ASSIGN_OR_RETURN(FolderAccess has, AccessTo(p, folder_id));
  if (has < FolderAccess::kRead) return Status::NotFound(std::string(what) + " not found");
  if (has < need) {
    return Status::PermissionDenied("this needs " + std::string(AccessName(need)) + " access to folder '" +
                                    std::string(folder_path) + "'");
  }
  return Status::OK();
}

Result<SecretFolder> SecretService::FolderFor(const Principal& p, std::string_view id, FolderAccess need) {
  PSAFE_RETURN_IF_ERROR(CheckGuid("folder id", id));
  PSAFE_ASSIGN_OR_RETURN(SecretFolder f, ports_.secrets.FindFolder(id));
  PSAFE_RETURN_IF_ERROR(RequireAccess(p, f.id, f.path, need, "folder"));
  return f;
}

Result<Secret> SecretService::SecretFor(const Principal& p, std::string_view id, FolderAccess need) {
  PSAFE_RETURN_IF_ERROR(CheckGuid("secret id", id));
  PSAFE_ASSIGN_OR_RETURN(Secret x, ports_.secrets.FindSecret(id));
  PSAFE_RETURN_IF_ERROR(RequireAccess(p, x.folder_id, x.folder_path, need, "secret"));
  return x;
}

// --- Folders -------------------------------------------------------------------------

Status SecretService::InsertFolder(const Principal& p, const SecretFolder& f) {
  Status s = audit_.Record(AuditTrail::By(p, "folder.create", "SecretFolder", f.id, 0, ""), [&]() -> Status {
    PSAFE_RETURN_IF_ERROR(ports_.secrets.CreateFolder(f));
    if (f.user_group_id) return ports_.secrets.GrantFolder(f.id, *f.user_group_id, FolderAccess::kManage);
    return Status::OK();
  });
  if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict("a folder named '" + f.path + "' already exists");
  return s;
}

Result<SecretFolder> SecretService::CreateFolder(const Principal& p, NewFolder in) {
  PSAFE_RETURN_IF_ERROR(CheckFolderName(in.name));
  PSAFE_RETURN_IF_ERROR(CheckText("Description", in.description, kMaxDescriptionChars, false));
  SecretFolder f;
  if (in.parent_id) {
    PSAFE_ASSIGN_OR_RETURN(SecretFolder parent, FolderFor(p, *in.parent_id, FolderAccess::kManage));
    f.parent_id = parent.id;
    f.path = parent.path + "/" + in.name;
  } else {
    if (!p.is_administrator()) return Status::PermissionDenied("creating a safe needs the Administrator role");
    f.path = in.name;
  }
  if (in.user_group_id) {
    PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(*in.user_group_id).status());
  }
  f.id = crypto::RandomGuid();
  f.name = std::move(in.name);
  f.description = std::move(in.description);
  f.user_group_id = in.user_group_id;
  f.created_at = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(InsertFolder(p, f));
  return f;
}

Result<std::vector<SecretFolder>> SecretService::ListFolders(const Principal& p, bool safes_only) {
  std::optional<int64_t> visible_to;
  if (!p.is_administrator()) visible_to = p.user.id;
  return ports_.secrets.ListFolders(visible_to, safes_only);
}

Result<SecretFolder> SecretService::GetFolder(const Principal& p, std::string_view id) {
  return FolderFor(p, id, FolderAccess::kRead);
}

Status SecretService::DeleteFolder(const Principal& p, std::string_view id, bool force) {
  PSAFE_ASSIGN_OR_RETURN(SecretFolder f, FolderFor(p, id, FolderAccess::kManage));
  if (!f.parent_id && !p.is_administrator()) {
    return Status::PermissionDenied("deleting a safe needs the Administrator role");
  }
  return audit_.Record(AuditTrail::By(p, "folder.delete", "SecretFolder", f.id, 0, force ? "{\"force\":true}" : ""),
                       [&] { return ports_.secrets.DeleteFolder(f.id, force); });
}

Status SecretService::Grant(const Principal& p, std::string_view folder_id, int64_t group_id, FolderAccess access) {
  PSAFE_ASSIGN_OR_RETURN(SecretFolder f, FolderFor(p, folder_id, FolderAccess::kManage));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  const std::string detail = "{\"group\":" + std::to_string(group_id) + ",\"access\":\"" +
                             std::string(AccessName(access)) + "\"}";
  return audit_.Record(AuditTrail::By(p, "folder.grant", "SecretFolder", f.id, 0, detail),
                       [&] { return ports_.secrets.GrantFolder(f.id, group_id, access); });
}

Status SecretService::RevokeGrant(const Principal& p, std::string_view folder_id, int64_t group_id) {
  PSAFE_ASSIGN_OR_RETURN(SecretFolder f, FolderFor(p, folder_id, FolderAccess::kManage));
  return audit_.Record(AuditTrail::By(p, "folder.revoke", "SecretFolder", f.id, 0,
                                      "{\"group\":" + std::to_string(group_id) + "}"),
                       [&] { return ports_.secrets.RevokeFolderGrant(f.id, group_id); });
}

// --- Secrets -------------------------------------------------------------------------

Result<Secret> SecretService::InsertSecret(const Principal& p, const SecretFolder& folder, SecretType type,
                                           SecretInput in) {
  if (!in.value) return Status::InvalidArgument(std::string(RequiredValueField(type)) + " is required");
  Secret x;
  x.type = type;
  x.folder_id = folder.id;
  x.folder_path = folder.path;
  PSAFE_RETURN_IF_ERROR(Merge(in, x));
  x.id = crypto::RandomGuid();
  x.created_at = x.modified_at = x.value_modified_at = clock_.NowSeconds();
  x.created_by = x.modified_by = p.user.user_name;
  const std::string sealed = keyring_.Seal(in.value->view(), ValueContext(x.id));
  Status s = audit_.Record(AuditTrail::By(p, "secret.create", "Secret", x.id), [&] {
    return ports_.secrets.CreateSecret(x, sealed);
  });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("a secret titled '" + x.title + "' already exists in '" + folder.path + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return x;
}

Result<Secret> SecretService::Create(const Principal& p, std::string_view folder_id, SecretType type,
                                     SecretInput in) {
  PSAFE_ASSIGN_OR_RETURN(SecretFolder folder, FolderFor(p, folder_id, FolderAccess::kWrite));
  return InsertSecret(p, folder, type, std::move(in));
}

Result<Secret> SecretService::CreateAtPath(const Principal& p, std::string_view path, SecretType type,
                                           SecretInput in) {
  if (path.empty()) return Status::InvalidArgument("folderName is required");
  std::vector<std::string_view> names;
  for (size_t start = 0;;) {
    size_t slash = path.find('/', start);
    names.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (std::string_view n : names) {
    if (n.empty()) return Status::InvalidArgument("folderName has an empty folder name");
    PSAFE_RETURN_IF_ERROR(CheckFolderName(n));
  }
  // The deepest folder on the path that exists already.
  std::optional<SecretFolder> existing;
  size_t depth = 0;
  std::string prefix;
  for (; depth < names.size(); ++depth) {
    std::string next = depth == 0 ? std::string(names[0]) : prefix + "/" + std::string(names[depth]);
    auto f = ports_.secrets.FindFolderByPath(next);
    if (!f.ok()) {
      if (f.status().code() != StatusCode::kNotFound) return f.status();
      break;
    }
    existing = std::move(f).value();
    prefix = existing->path;
  }
  if (depth == names.size()) return Create(p, existing->id, type, std::move(in));

  // Missing folders: manage on the nearest existing one, or administration for a new safe.
  // A safe that does not exist is answered as one the caller cannot read (FolderFor's
  // NotFound, same message): telling the two apart would let anyone probe safe names.
  if (existing) {
    PSAFE_RETURN_IF_ERROR(FolderFor(p, existing->id, FolderAccess::kManage).status());
  } else if (!p.is_administrator()) {
    return Status::NotFound(std::string(kFolderNotFound));
  }
  Result<Secret> created = Status::Internal("not created");
  PSAFE_RETURN_IF_ERROR(ports_.tx.Atomically([&]() -> Status {
    std::optional<SecretFolder> parent = existing;
    for (size_t i = depth; i < names.size(); ++i) {
      SecretFolder f;
      f.id = crypto::RandomGuid();
      f.name = std::string(names[i]);
      f.path = parent ? parent->path + "/" + f.name : f.name;
      if (parent) f.parent_id = parent->id;
      f.created_at = clock_.NowSeconds();
      PSAFE_RETURN_IF_ERROR(InsertFolder(p, f));
      parent = std::move(f);
    }
    created = InsertSecret(p, *parent, type, std::move(in));
    return created.status();
  }));
  return created;
}

Result<std::vector<SecretRead>> SecretService::Release(const Principal& p, std::vector<Secret> secrets,
                                                       std::string action) {
  std::vector<AuditEvent> events;
  for (const Secret& x : secrets) events.push_back(AuditTrail::By(p, action, "Secret", x.id));
  // On record before any value leaves: the response waits for the submission to be durable.
  PSAFE_RETURN_IF_ERROR(audit_.SubmitAll(std::move(events)));
  std::vector<SecretRead> out;
  out.reserve(secrets.size());
  for (Secret& x : secrets) {
    auto sealed = ports_.secrets.GetSealedSecretValue(x.id);
    if (!sealed.ok() && sealed.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    PSAFE_RETURN_IF_ERROR(sealed.status());
    PSAFE_ASSIGN_OR_RETURN(crypto::SecretString value, keyring_.Unseal(*sealed, ValueContext(x.id)));
    out.push_back(SecretRead{std::move(x), std::move(value)});
  }
  return out;
}

Result<Paged<SecretRead>> SecretService::Search(const Principal& p, SecretFilter filter, bool decrypt) {
  if (filter.folder_id) PSAFE_RETURN_IF_ERROR(CheckGuid("folderId", *filter.folder_id));
  if (!p.is_administrator()) filter.visible_to_user = p.user.id;
  PSAFE_ASSIGN_OR_RETURN(Paged<Secret> found, ports_.secrets.ListSecrets(filter));
  // Files are never inlined: their bytes come from Download.
  std::vector<Secret> to_release;
  Paged<SecretRead> out;
  out.total = found.total;
  for (Secret& x : found.items) {
    if (decrypt && x.type != SecretType::kFile) to_release.push_back(x);
  }
  PSAFE_ASSIGN_OR_RETURN(std::vector<SecretRead> released, Release(p, std::move(to_release), "secret.read"));
  size_t next = 0;
  for (Secret& x : found.items) {
    if (next < released.size() && released[next].secret.id == x.id) {
      out.items.push_back(std::move(released[next++]));
    } else if (!decrypt || x.type == SecretType::kFile) {
      out.items.push_back(SecretRead{std::move(x), std::nullopt});
    }
  }
  return out;
}

Result<SecretRead> SecretService::Get(const Principal& p, std::string_view id) {
  PSAFE_ASSIGN_OR_RETURN(Secret x, SecretFor(p, id, FolderAccess::kRead));
  if (x.type == SecretType::kFile) return SecretRead{std::move(x), std::nullopt};
  PSAFE_ASSIGN_OR_RETURN(auto released, Release(p, {std::move(x)}, "secret.read"));
  if (released.empty()) return Status::NotFound("secret not found");
  return std::move(released.front());
}

Result<SecretRead> SecretService::Download(const Principal& p, std::string_view id) {
  PSAFE_ASSIGN_OR_RETURN(Secret x, SecretFor(p, id, FolderAccess::kRead));
  if (x.type != SecretType::kFile) return Status::InvalidArgument("the secret is not a File secret");
  PSAFE_ASSIGN_OR_RETURN(auto released, Release(p, {std::move(x)}, "secret.download"));
  if (released.empty()) return Status::NotFound("secret not found");
  return std::move(released.front());
}

Result<SecretRead> SecretService::Update(const Principal& p, std::string_view id, SecretType type,
                                         SecretInput in) {
  PSAFE_ASSIGN_OR_RETURN(Secret x, SecretFor(p, id, FolderAccess::kWrite));
  if (x.type != type) {
    return Status::InvalidArgument("the secret is a " + std::string(SecretTypeName(x.type)) + " secret, not " +
                                   std::string(SecretTypeName(type)));
  }
  PSAFE_RETURN_IF_ERROR(Merge(in, x));
  x.modified_at = clock_.NowSeconds();
  x.modified_by = p.user.user_name;
  std::optional<std::string> sealed;
  if (in.value) {
    sealed = keyring_.Seal(in.value->view(), ValueContext(x.id));
    x.value_modified_at = x.modified_at;
  }
  Status s = audit_.Record(AuditTrail::By(p, "secret.update", "Secret", x.id, 0,
                                          sealed ? "{\"value\":true}" : ""),
                           [&] { return ports_.secrets.UpdateSecret(x, sealed); });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("a secret titled '" + x.title + "' already exists in '" + x.folder_path + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  // The answer carries the value (the product returns the updated secret), so it is a
  // release of its own; a file's bytes are never inlined.
  if (x.type == SecretType::kFile) return SecretRead{std::move(x), std::nullopt};
  if (in.value) return SecretRead{std::move(x), std::move(in.value)};
  PSAFE_ASSIGN_OR_RETURN(auto released, Release(p, {std::move(x)}, "secret.read"));
  if (released.empty()) return Status::NotFound("secret not found");
  return std::move(released.front());
}

Status SecretService::Delete(const Principal& p, std::string_view id) {
  PSAFE_ASSIGN_OR_RETURN(Secret x, SecretFor(p, id, FolderAccess::kWrite));
  return audit_.Record(AuditTrail::By(p, "secret.delete", "Secret", x.id), [&] { return ports_.secrets.DeleteSecret(x.id); });
}

}  // namespace psafe::domain
