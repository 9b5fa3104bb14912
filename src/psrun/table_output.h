// psrun2's output (guide, "Options"): a JSON response printed as columns.
//  - an array of objects: a header row of property names, then one row per object;
//  - one object: the same, with one row;
//  - a scalar (a password, a request id): the bare value;
//  - an array of scalars: one value per line;
//  - a paged answer {TotalCount, Data}: the rows of Data.
// Columns are separated by TAB (-separator), optionally wrapped in double quotes with
// inner quotes doubled (-quote), the header row can be dropped (-noheaders), and -filter
// keeps the named columns in the order given, matching names case-insensitively. Nested
// values print as compact JSON; null prints as an empty cell.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace psafe::psrun {

struct OutputOptions {
  bool quote = false;
  std::string separator = "\t";
  bool no_headers = false;
  std::vector<std::string> filter;
};

std::string RenderTable(const boost::json::value& v, const OutputOptions& o);

// One cell: strings raw, null empty, anything else as compact JSON.
std::string CellText(const boost::json::value& v);

}  // namespace psafe::psrun
