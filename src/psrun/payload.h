// The PSRUN payload grammar (guide, "Usage"): what follows the endpoint becomes the JSON
// request body.
//   Name=value Other=2            → {"Name":"value","Other":2}
//   [ A=1 B=x A=2 B=y ]           → [{"A":1,"B":"x"},{"A":2,"B":"y"}] (a repeated key starts
//                                   the next object)
//   '{"raw":"json"}'              → sent as given (must be valid JSON)
// Values: integers and decimals become numbers (unless the JSON number would print
// differently: 007, 1.10), true/false booleans; a value wrapped in double quotes (which the
// shell kept, e.g. 'Name="42"') stays a string without them. Password, Passphrase,
// PrivateKey, PublicKey, Key, Secret, ClientSecret and Text values are always strings.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace psafe::psrun {

// No words → a null value (no body is sent).
Result<boost::json::value> ParsePayload(const std::vector<std::string>& words);

// One "key=value" value, typed as described above.
boost::json::value TypedValue(std::string_view raw);

}  // namespace psafe::psrun
