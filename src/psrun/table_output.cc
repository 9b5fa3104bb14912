#include "psrun/table_output.h"

#include <boost/json/serialize.hpp>

#include "common/strings.h"

namespace psafe::psrun {

namespace json = boost::json;

namespace {

std::string Quoted(const std::string& s, bool quote) {
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Column names: every key in first-seen order, or the filter's names resolved to the
// spelling the data uses.
std::vector<std::string> Columns(const std::vector<const json::object*>& rows, const OutputOptions& o) {
  std::vector<std::string> all;
  for (const json::object* row : rows) {
    for (const auto& kv : *row) {
      bool seen = false;
      for (const auto& c : all) seen = seen || c == kv.key();
      if (!seen) all.emplace_back(kv.key());
    }
  }
  if (o.filter.empty()) return all;
  std::vector<std::string> out;
  for (const std::string& want : o.filter) {
    // The exact spelling when the data has it (responses may carry both AccountId and
    // AccountID), else the first case-insensitive match, else the name as asked.
    std::string name = want;
    bool exact = false;
    for (const auto& c : all) exact = exact || c == want;
    if (!exact) {
      for (const auto& c : all) {
        if (EqualsIgnoreCase(c, want)) {
          name = c;
          break;
        }
      }
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace

std::string CellText(const json::value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

std::string RenderTable(const json::value& v, const OutputOptions& o) {
  // A paged answer ({TotalCount, Data}) prints its rows.
  if (v.is_object() && v.get_object().size() == 2 && v.get_object().contains("TotalCount") &&
      v.get_object().contains("Data") && v.get_object().at("Data").is_array()) {
    return RenderTable(v.get_object().at("Data"), o);
  }
  std::vector<const json::object*> rows;
  if (v.is_object()) {
    rows.push_back(&v.get_object());
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (!item.is_object()) {  // an array of scalars (or mixed): one value per line
        std::string out;
        for (const auto& x : v.get_array()) out += Quoted(CellText(x), o.quote) + "\n";
        return out;
      }
      rows.push_back(&item.get_object());
    }
  } else {
    return v.is_null() ? "" : Quoted(CellText(v), o.quote) + "\n";
  }
  if (rows.empty()) return "";
  const std::vector<std::string> cols = Columns(rows, o);
  std::string out;
  auto line = [&](auto cell) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += o.separator;
      out += Quoted(cell(i), o.quote);
    }
    out += "\n";
  };
  if (!o.no_headers) line([&](size_t i) { return cols[i]; });
  for (const json::object* row : rows) {
    line([&](size_t i) {
      if (auto it = row->find(cols[i]); it != row->end()) return CellText(it->value());
      for (const auto& kv : *row) {
        if (EqualsIgnoreCase(kv.key(), cols[i])) return CellText(kv.value());
      }
      return std::string();
    });
  }
  return out;
}

}  // namespace psafe::psrun
