// psrun2's short commands (guide, "Short commands"): one table maps each name (and its
// aliases) to its ordered parameters and to the REST calls it chains.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "psrun/session.h"

namespace psafe::psrun {

// What a short command produced: the value to print, and a note for stderr (never a secret).
struct ShortResult {
  boost::json::value value;
  std::string note;
};

struct ShortCommand {
  std::string_view name;
  std::string_view alias;   // "" when none
  std::string_view params;  // for --help, e.g. "SystemName AccountName Reason [DurationMinutes] ..."
  std::string_view calls;   // the REST calls, for --help
  Result<ShortResult> (*run)(Session& s, const std::vector<std::string>& args);
};

// Case-insensitive, aliases included; nullptr when `name` is not a short command.
const ShortCommand* FindShortCommand(std::string_view name);
// Every short command with its parameters and calls, for --help.
std::string ShortCommandHelp();

}  // namespace psafe::psrun
