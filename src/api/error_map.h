// The one table from Status codes to HTTP statuses, and the error body shapes:
// the product answers a short JSON string ("User not authenticated"); the OpenAPI
// document's paths answer its ErrorResponse object {Message, ErrorCode}.
// Messages are client-facing and never carry secrets; 5xx bodies are generic (details
// go to the log).
#pragma once

#include <string_view>

#include "api/dialect.h"
#include "common/status.h"
#include "http/message.h"

namespace psafe::api {

int HttpStatusFor(StatusCode code);
http::Response ErrorResponse(const Status& status, Dialect dialect);
http::Response ErrorResponse(int http_status, std::string_view message, Dialect dialect);

}  // namespace psafe::api
