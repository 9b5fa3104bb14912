#include "api/secrets_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/dialect.h"

#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

// Urls and Owners are stored as the JSON arrays the client sent (validated on the way in).
json::value StoredArray(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec || !v.is_array() ? json::value(json::array()) : v;
}

// Byte bounds for reading: generous multiples of the character limits the domain checks.
constexpr size_t kNameBytes = 4 * 256;
constexpr size_t kNotesBytes = 4 * 4000;

Status ReadArray(const JsonBody& b, std::string_view name, std::optional<std::string>* out) {
  const json::value* v = b.Find(name);
  if (v == nullptr) return Status::OK();
  if (!v->is_array()) return Status::InvalidArgument(std::string(name) + " must be an array");
  *out = json::serialize(*v);
  if ((*out)->size() > kNotesBytes) return Status::InvalidArgument(std::string(name) + " is too long");
  return Status::OK();
}

}  // namespace

json::object SecretFolderJson(const domain::SecretFolder& f) {
  json::object o;
  o["Id"] = f.id;
  o["Name"] = f.name;
  o["Description"] = f.description;
  o["ParentId"] = f.parent_id ? json::value(*f.parent_id) : json::value(nullptr);
  o["UserGroupId"] = f.user_group_id ? json::value(*f.user_group_id) : json::value(nullptr);
  o["FolderPath"] = f.path;
  o["CreatedOn"] = FormatTimestamp(f.created_at);
  return o;
}

json::object SecretJson(const domain::Secret& x, const crypto::SecretString* value) {
  using domain::SecretType;
  json::object o;
  PutField(o, "Id", json::string(x.id));
  PutField(o, "Title", json::string(x.title));
  PutField(o, "Description", json::string(x.description));
  o["FolderId"] = x.folder_id;
  PutField(o, "FolderPath", json::string(x.folder_path));
  o["SecretType"] = domain::SecretTypeName(x.type);
  o["type"] = domain::DocumentSecretTypeName(x.type);
  o["Username"] = x.username;
  auto value_if = [&](bool applies) { return applies && value ? json::value(value->view()) : json::value(nullptr); };
  o["Password"] = value_if(x.type != SecretType::kFile);
  o["password"] = value_if(x.type == SecretType::kCredential);
  o["text"] = value_if(x.type == SecretType::kText);
  if (x.type == SecretType::kFile) {
    o["FileName"] = x.file_name;
    o["FileSize"] = x.file_size;
  }
  o["Notes"] = x.notes;
  o["Urls"] = StoredArray(x.urls_json);
  o["OwnerId"] = x.owner_id;
  o["OwnerType"] = x.owner_type;
  o["Owners"] = StoredArray(x.owners_json);
  PutField(o, "CreatedOn", json::string(FormatTimestamp(x.created_at)));
  o["CreatedBy"] = x.created_by;
  PutField(o, "ModifiedOn", json::string(FormatTimestamp(x.modified_at)));
  o["ModifiedBy"] = x.modified_by;
  o["SecretValueModifiedOn"] = FormatTimestamp(x.value_modified_at);
  return o;
}

Status ReadSecretMetadata(const JsonBody& b, domain::SecretInput* in) {
  PSAFE_RETURN_IF_ERROR(b.Read("Title", &in->title, kNameBytes));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &in->description, kNameBytes));
  PSAFE_RETURN_IF_ERROR(b.Read("Username", &in->username, kNameBytes));
  PSAFE_RETURN_IF_ERROR(b.Read("Notes", &in->notes, kNotesBytes));
  PSAFE_RETURN_IF_ERROR(b.Read("OwnerType", &in->owner_type, 16));
  PSAFE_RETURN_IF_ERROR(b.Read("FileName", &in->file_name, kNameBytes));
  PSAFE_RETURN_IF_ERROR(ReadArray(b, "Urls", &in->urls_json));
  PSAFE_RETURN_IF_ERROR(ReadArray(b, "Owners", &in->owners_json));
  PSAFE_RETURN_IF_ERROR(b.Read("OwnerId", &in->owner_id));
  PSAFE_RETURN_IF_ERROR(b.Read("PasswordRuleID", &in->password_rule_id));
  return Status::OK();
}

}  // namespace psafe::api
