package io.loopfree.sync.functions;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The parts of an API Gateway HTTP API (payload format 2.0) event the ingress reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HttpApiEvent(
        @JsonProperty("version") String version,
        @JsonProperty("routeKey") String routeKey,
        @JsonProperty("rawPath") String rawPath,
        @JsonProperty("rawQueryString") String rawQueryString,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("pathParameters") Map<String, String> pathParameters,
        @JsonProperty("requestContext") RequestContext requestContext,
        @JsonProperty("body") String body,
        @JsonProperty("isBase64Encoded") boolean isBase64Encoded) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestContext(
            @JsonProperty("requestId") String requestId,
            @JsonProperty("http") Http http) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Http(
            @JsonProperty("method") String method,
            @JsonProperty("path") String path,
            @JsonProperty("sourceIp") String sourceIp) {
    }
}
