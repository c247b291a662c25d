package io.loopfree.sync.functions;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An API Gateway HTTP API (payload format 2.0) response. */
public record HttpApiResponse(
        @JsonProperty("statusCode") int statusCode,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("body") String body,
        @JsonProperty("isBase64Encoded") boolean isBase64Encoded) {
}
