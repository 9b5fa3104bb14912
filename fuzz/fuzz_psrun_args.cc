// libFuzzer target: psrun2's command line and payload grammar. The input is split on NUL
// bytes into argv words.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "psrun/cli_args.h"
#include "psrun/payload.h"
#include "psrun/table_output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) words.emplace_back();
    else words.back() += static_cast<char>(data[i]);
  }
  (void)psafe::psrun::ParseCliArgs(words);
  auto payload = psafe::psrun::ParsePayload(words);
  if (payload.ok()) {
    psafe::psrun::OutputOptions o;
    o.quote = size % 2 == 0;
    (void)psafe::psrun::RenderTable(*payload, o);
  }
  return 0;
}
