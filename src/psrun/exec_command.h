// -e and -estdin: hand the result to a command instead of printing it.
//  -e "cmd [Password]"  replaces [Field] placeholders with the result's fields and runs
//                       the command once per row. The value lands in the child's argv,
//                       which other local users can read in /proc while it runs: prefer
//                       -estdin for secrets (docs/psrun2.md).
//  -estdin "cmd"        runs the command once with the printed output on its stdin;
//                       the secret never appears in any argv or environment.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace psafe::psrun {

// Replaces each [Name] whose Name is a field of `row` (case-insensitive); others stay.
std::string FillPlaceholders(std::string_view command, const boost::json::object& row);

// The rows -e runs over: an object is one row, an array of objects one per element, and
// a scalar (a password) is one row with the fields Password and Value.
std::vector<boost::json::object> PlaceholderRows(const boost::json::value& v);

// Runs /bin/sh -c `command`, with `input` on its stdin when given; the child's exit status.
Result<int> RunShell(const std::string& command, const std::string* input);

}  // namespace psafe::psrun
