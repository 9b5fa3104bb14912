#include "http/message.h"

#include "common/strings.h"

namespace psafe::http {

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace psafe::http
