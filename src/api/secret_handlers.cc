// Secrets Safe handlers (docs/SECRETS.md; contract §2.3).
#include <boost/json/array.hpp>

#include "api/handlers.h"
#include "api/secrets_json.h"
#include "common/strings.h"
#include "domain/names.h"
#include "http/multipart.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

using domain::SecretType;

constexpr std::string_view kZeroGuid = "00000000-0000-0000-0000-000000000000";
constexpr int64_t kDefaultSecretLimit = 1000;
constexpr size_t kMaxValueBytes = 4 * domain::kMaxTextSecretChars;  // characters are checked by the domain

const std::string& PathGuid(const ApiCall& c, size_t index) { return c.req.path_params.at(index); }

Result<bool> QueryBool(const ApiCall& c, std::string_view name, bool absent) {
  auto v = c.req.query.Get(name);
  if (!v || v->empty()) return absent;
  if (EqualsIgnoreCase(*v, "true") || *v == "1") return true;
  if (EqualsIgnoreCase(*v, "false") || *v == "0") return false;
  return Status::InvalidArgument(std::string(name) + " must be true or false");
}

// `version` ≥ 3.2 wraps lists as {TotalCount, Data} (contract §2.3); older clients index a bare array.
Result<bool> WantsWrappedList(const ApiCall& c) {
  auto v = c.req.query.Get("version");
  if (!v || v->empty()) return false;
  int major = 0, minor = 0;
  char dot = 0;
  const std::string text = *v;
  if (std::sscanf(text.c_str(), "%d%c%d", &major, &dot, &minor) < 1 || (dot != 0 && dot != '.')) {
    return Status::InvalidArgument("version must be a number such as 3.1");
  }
  return major > 3 || (major == 3 && minor >= 2);
}

http::Response SecretsResponse(int status, json::value body, bool holds_values) {
  http::Response res = JsonResponse(status, body);
  res.sensitive = holds_values;
  return res;
}

Result<http::Response> SecretList(domain::Paged<domain::SecretRead> page, bool wrapped) {
  json::array items;
  bool values = false;
  for (const auto& r : page.items) {
    values = values || r.value.has_value();
    items.push_back(SecretJson(r));
  }
  if (!wrapped) return SecretsResponse(200, std::move(items), values);
  return SecretsResponse(200, json::object{{"TotalCount", page.total}, {"Data", std::move(items)}}, values);
}

http::Response OneSecret(int status, const domain::SecretRead& r) {
  return SecretsResponse(status, SecretJson(r), r.value.has_value());
}

// A Credential or Text secret's fields: metadata plus Password or Text (names match in
// any case, so the document's `password` and `text` are the same fields).
Result<domain::SecretInput> ReadSecretBody(const JsonBody& body, SecretType type) {
  domain::SecretInput in;
  PSAFE_RETURN_IF_ERROR(ReadSecretMetadata(body, &in));
  PSAFE_RETURN_IF_ERROR(body.Read(type == SecretType::kText ? "Text" : "Password", &in.value, kMaxValueBytes));
  return in;
}

Result<domain::SecretInput> ReadJsonSecret(const ApiCall& c, SecretType type) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  return ReadSecretBody(body, type);
}

// multipart/form-data: part `secretmetadata` (JSON) and the file in part `file` (GoLib)
// or `files` (PyLib). GoLib also copies the content into the metadata as FileContent,
// which is ignored: the file part is what is stored.
Result<domain::SecretInput> ReadFileSecret(const ApiCall& c) {
  auto ct = c.req.headers.Get("Content-Type");
  if (!ct) return Status::UnsupportedMedia("Content-Type must be multipart/form-data");
  PSAFE_ASSIGN_OR_RETURN(auto parts, http::ParseMultipart(*ct, c.req.body));
  const http::MultipartPart* meta = nullptr;
  const http::MultipartPart* file = nullptr;
  for (const auto& p : parts) {
    if (EqualsIgnoreCase(p.name, "secretmetadata") && !meta) meta = &p;
    if ((EqualsIgnoreCase(p.name, "file") || EqualsIgnoreCase(p.name, "files")) && !file) file = &p;
  }
  if (!meta) return Status::InvalidArgument("secretmetadata part is required");
  if (!file) return Status::InvalidArgument("file part is required (named file or files)");
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::ParseText(meta->data));
  domain::SecretInput in;
  PSAFE_RETURN_IF_ERROR(ReadSecretMetadata(body, &in));
  if (!in.file_name && file->filename) in.file_name = *file->filename;
  in.value = crypto::SecretString(file->data);
  return in;
}

Result<http::Response> Created(const domain::Secret& x) {
  return JsonResponse(201, SecretJson(x, nullptr));
}

Result<http::Response> CreateInFolder(ApiCall& c, SecretType type, Result<domain::SecretInput> in) {
  PSAFE_RETURN_IF_ERROR(in.status());
  PSAFE_ASSIGN_OR_RETURN(auto x, c.ctx.secrets.Create(*c.principal, PathGuid(c, 0), type, std::move(in).value()));
  return Created(x);
}

Result<http::Response> UpdateJson(ApiCall& c, SecretType type) {
  PSAFE_ASSIGN_OR_RETURN(auto in, ReadJsonSecret(c, type));
  PSAFE_ASSIGN_OR_RETURN(auto r, c.ctx.secrets.Update(*c.principal, PathGuid(c, 0), type, std::move(in)));
  return OneSecret(200, r);
}

Result<http::Response> CreateFolderFrom(ApiCall& c, bool safe) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("Name"));
  domain::NewFolder f;
  PSAFE_RETURN_IF_ERROR(body.Read("Name", &f.name, 1024));
  PSAFE_RETURN_IF_ERROR(body.Read("Description", &f.description, 1024));
  PSAFE_RETURN_IF_ERROR(body.Read("UserGroupId", &f.user_group_id));
  if (!safe) {
    // GoLib sends the zero GUID where it means "no parent".
    PSAFE_RETURN_IF_ERROR(body.Read("ParentId", &f.parent_id, 64));
    if (f.parent_id && (f.parent_id->empty() || *f.parent_id == kZeroGuid)) f.parent_id.reset();
  }
  PSAFE_ASSIGN_OR_RETURN(auto folder, c.ctx.secrets.CreateFolder(*c.principal, std::move(f)));
  return JsonResponse(201, SecretFolderJson(folder));
}

Result<http::Response> FolderList(ApiCall& c, bool safes_only) {
  PSAFE_ASSIGN_OR_RETURN(auto folders, c.ctx.secrets.ListFolders(*c.principal, safes_only));
  return JsonResponse(200, ArrayOf(folders, SecretFolderJson));
}

}  // namespace

// --- Folders and safes ---

Result<http::Response> CreateSafe(ApiCall& c) { return CreateFolderFrom(c, true); }
Result<http::Response> CreateSecretFolder(ApiCall& c) { return CreateFolderFrom(c, false); }
Result<http::Response> ListSafes(ApiCall& c) { return FolderList(c, true); }
Result<http::Response> ListSecretFolders(ApiCall& c) { return FolderList(c, false); }

Result<http::Response> GetSecretFolder(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto folder, c.ctx.secrets.GetFolder(*c.principal, PathGuid(c, 0)));
  return JsonResponse(200, SecretFolderJson(folder));
}

Result<http::Response> DeleteSecretFolder(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(bool force, QueryBool(c, "force", false));
  PSAFE_RETURN_IF_ERROR(c.ctx.secrets.DeleteFolder(*c.principal, PathGuid(c, 0), force));
  return http::Response::Empty(200);
}

Result<http::Response> GrantSecretFolder(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("UserGroupId"));
  PSAFE_RETURN_IF_ERROR(body.Require("AccessLevel"));
  int64_t group = 0;
  std::string level;
  PSAFE_RETURN_IF_ERROR(body.Read("UserGroupId", &group));
  PSAFE_RETURN_IF_ERROR(body.Read("AccessLevel", &level, 16));
  auto access = domain::ParseFolderAccess(level);
  if (!access) return Status::InvalidArgument("AccessLevel must be read, write or manage");
  PSAFE_RETURN_IF_ERROR(c.ctx.secrets.Grant(*c.principal, PathGuid(c, 0), group, *access));
  return http::Response::Empty(204);
}

Result<http::Response> RevokeSecretFolderGrant(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t group, PathId(c, 1, "user group id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.secrets.RevokeGrant(*c.principal, PathGuid(c, 0), group));
  return http::Response::Empty(204);
}

Result<http::Response> ListFolderSecrets(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto folder, c.ctx.secrets.GetFolder(*c.principal, PathGuid(c, 0)));
  domain::SecretFilter f;
  f.folder_id = folder.id;
  f.limit = kDefaultSecretLimit;
  PSAFE_ASSIGN_OR_RETURN(auto page, c.ctx.secrets.Search(*c.principal, f, true));
  return SecretList(std::move(page), false);
}

// --- Secrets ---

Result<http::Response> CreateCredentialSecret(ApiCall& c) {
  return CreateInFolder(c, SecretType::kCredential, ReadJsonSecret(c, SecretType::kCredential));
}
Result<http::Response> CreateTextSecret(ApiCall& c) {
  return CreateInFolder(c, SecretType::kText, ReadJsonSecret(c, SecretType::kText));
}
Result<http::Response> CreateFileSecret(ApiCall& c) { return CreateInFolder(c, SecretType::kFile, ReadFileSecret(c)); }

// POST /secrets-safe/secrets (the document's create): {title, type, password|text,
// description, folderName}; the folder path is created as needed.
Result<http::Response> CreateSecretAtPath(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("title"));
  PSAFE_RETURN_IF_ERROR(body.Require("type"));
  PSAFE_RETURN_IF_ERROR(body.Require("folderName"));
  std::string type_name, folder;
  PSAFE_RETURN_IF_ERROR(body.Read("type", &type_name, 16));
  PSAFE_RETURN_IF_ERROR(body.Read("folderName", &folder, 4096));
  auto type = domain::ParseDocumentSecretType(type_name);
  if (!type || *type == SecretType::kFile) {
    return Status::InvalidArgument("type must be Password or Text (File secrets are uploaded as multipart)");
  }
  PSAFE_ASSIGN_OR_RETURN(auto in, ReadSecretBody(body, *type));
  PSAFE_ASSIGN_OR_RETURN(auto x, c.ctx.secrets.CreateAtPath(*c.principal, folder, *type, std::move(in)));
  return Created(x);
}

Result<http::Response> SearchSecrets(ApiCall& c) {
  domain::SecretFilter f;
  f.limit = kDefaultSecretLimit;
  PSAFE_ASSIGN_OR_RETURN(auto page, ReadPage(c));
  if (page.limit) f.limit = page.limit;
  f.offset = page.offset;
  std::string separator = "/";
  if (auto s = c.req.query.Get("separator"); s && !s->empty()) separator = *s;
  if (separator.size() != 1) return Status::InvalidArgument("separator must be a single character");
  if (auto path = c.req.query.Get("path"); path && !path->empty()) {
    std::string p = *path;
    for (char& ch : p) {
      if (ch == separator[0]) ch = '/';
    }
    f.path = std::move(p);
  }
  if (auto title = c.req.query.Get("title"); title && !title->empty()) f.title = *title;
  if (auto folder = c.req.query.Get("folderId"); folder && !folder->empty()) f.folder_id = *folder;
  if (auto after = c.req.query.Get("afterdate"); after && !after->empty()) {
    f.modified_after = ParseTimestamp(*after);
    if (!f.modified_after) return Status::InvalidArgument("afterdate must look like 2026-01-31T23:59:59Z");
  }
  // The value is included unless decrypt=false: older clients never send the parameter.
  PSAFE_ASSIGN_OR_RETURN(bool decrypt, QueryBool(c, "decrypt", true));
  PSAFE_ASSIGN_OR_RETURN(bool wrapped, WantsWrappedList(c));
  PSAFE_ASSIGN_OR_RETURN(auto found, c.ctx.secrets.Search(*c.principal, std::move(f), decrypt));
  return SecretList(std::move(found), wrapped);
}

Result<http::Response> GetSecret(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto r, c.ctx.secrets.Get(*c.principal, PathGuid(c, 0)));
  return OneSecret(200, r);
}

Result<http::Response> DownloadSecretFile(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto r, c.ctx.secrets.Download(*c.principal, PathGuid(c, 0)));
  http::Response res;
  res.status = 200;
  res.content_type = "application/octet-stream";
  res.body = r.value->str();
  res.sensitive = true;
  // Names are base names checked on upload; one stored before those checks is reduced the
  // same way here, or replaced when it cannot be.
  auto base = domain::FileBaseName(r.secret.file_name);
  std::string name;
  for (char ch : base.ok() ? *base : std::string("download")) {  // a quoted header value
    if (ch != '"' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20) name.push_back(ch);
  }
  res.headers.Add("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return res;
}

Result<http::Response> UpdateCredentialSecret(ApiCall& c) { return UpdateJson(c, SecretType::kCredential); }
Result<http::Response> UpdateTextSecret(ApiCall& c) { return UpdateJson(c, SecretType::kText); }

Result<http::Response> UpdateFileSecret(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto in, ReadFileSecret(c));
  PSAFE_RETURN_IF_ERROR(c.ctx.secrets.Update(*c.principal, PathGuid(c, 0), SecretType::kFile, std::move(in)).status());
  return http::Response::Empty(204);
}

Result<http::Response> DeleteSecret(ApiCall& c) {
  PSAFE_RETURN_IF_ERROR(c.ctx.secrets.Delete(*c.principal, PathGuid(c, 0)));
  return http::Response::Empty(200);
}

}  // namespace psafe::api
