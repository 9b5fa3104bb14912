// -e and -estdin: hand the result to a command instead of printing it.
//  -e "cmd [Password]"  runs /bin/sh -c cmd once per result row. Each [Field] placeholder
//                       becomes a reference to an environment variable that holds the
//                       field's value, quoted for where it stands ('[Password]' stays a
//                       single word), so a value is never parsed as shell syntax and never
//                       appears in any command line.
//  -estdin "cmd"        runs the command once with the printed output on its stdin.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace psafe::psrun {

struct ShellCommand {
  std::string text;                                        // for /bin/sh -c
  std::vector<std::pair<std::string, std::string>> env;    // added to the child's environment
  ~ShellCommand();                                         // wipes the values
};

// Binds each [Name] whose Name is a field of `row` (case-insensitive); others stay.
ShellCommand BindPlaceholders(std::string_view command, const boost::json::object& row);

// The rows -e runs over: an object is one row, an array of objects one per element, and
// a scalar (a password) is one row with the fields Password and Value.
std::vector<boost::json::object> PlaceholderRows(const boost::json::value& v);

// Runs /bin/sh -c, with `input` on its stdin when given; the child's exit status.
Result<int> RunShell(const ShellCommand& command, const std::string* input);

}  // namespace psafe::psrun
