package io.loopfree.sync.adapters.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.dashjoin.jsonata.Jsonata;

import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundProfile.Auth;
import io.loopfree.sync.domain.outbound.OutboundProfile.BodyEncoding;
import io.loopfree.sync.domain.outbound.OutboundProfile.ListSpec;
import io.loopfree.sync.domain.outbound.OutboundProfile.NextPage;
import io.loopfree.sync.domain.outbound.OutboundProfile.Operation;
import io.loopfree.sync.domain.outbound.OutboundProfile.RequestSpec;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.outbound.Template;
import io.loopfree.sync.domain.ratelimit.RetryAfter;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.SecretStore;

/**
 * The outbound HTTP adapter: builds each request from the target's outbound profile (data), sends it with the JDK
 * {@link HttpClient} and maps the answer to an {@link OutboundResponse}. I/O and mapping only: what to write, and
 * what to do about a rejection or a rate limit, is the caller's decision.
 * <ul>
 * <li>Every attempt is bounded by {@code sync.outbound.request-timeout} and by the call's deadline; connecting by
 * {@code connect-timeout}.</li>
 * <li>5xx answers, timeouts and connection failures are retried, at most {@code max-attempts} in all, with full
 * jitter, and never past the deadline. 4xx are never retried; 429 is {@link OutboundResponse.RateLimited} (its
 * {@code Retry-After} read), never retried here.</li>
 * <li>A configuration problem (no base URL, no token, a path placeholder without a value) is
 * {@link OutboundResponse.Rejected} with status 0: nothing was sent. An unknown or invalid profile throws.</li>
 * </ul>
 * Nothing from a response body is logged, and the reasons carried in responses are bounded and escaped.
 */
@ApplicationScoped
public class HttpOutboundClient implements OutboundClient {

    private static final Logger LOG = Logger.getLogger(HttpOutboundClient.class);
    private static final int REASON_LIMIT = 200;

    /**
     * The adapter's settings; {@link #of(SyncConfig)} reads them from configuration.
     *
     * @param changeAgent the tag reads (get, list) carry where a profile sends one on every request; a write carries
     *                    its own {@link OutboundWrite#changeAgent()}
     */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int maxAttempts, Duration baseBackoff,
            Duration maxBackoff, String changeAgent) {

        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("sync.outbound.max-attempts must be at least 1");
            }
        }

        public static Settings of(SyncConfig config) {
            SyncConfig.Outbound outbound = config.outbound();
            return new Settings(outbound.connectTimeout(), outbound.requestTimeout(), outbound.maxAttempts(),
                    outbound.baseBackoff(), outbound.maxBackoff(), config.echo().changeAgent());
        }
    }

    private final OutboundProfileRepository profiles;
    private final SecretStore secrets;
    private final Clock clock;
    private final Settings settings;
    private final HttpClient http;
    private final Map<String, Jsonata> expressions = new ConcurrentHashMap<>();

    @Inject
    public HttpOutboundClient(OutboundProfileRepository profiles, SecretStore secrets, Clock clock, SyncConfig config) {
        this(profiles, secrets, clock, Settings.of(config));
    }

    public HttpOutboundClient(OutboundProfileRepository profiles, SecretStore secrets, Clock clock, Settings settings) {
        this.profiles = profiles;
        this.secrets = secrets;
        this.clock = clock;
        this.settings = settings;
        // Built per bean instance (not in a static initializer: a native image must not hold a client from build
        // time). HTTP/1.1 always: no h2c upgrade attempt on plain-HTTP targets (sandbox, stubs); redirects are
        // never followed (a redirected write is the profile's bug, and must not carry the token elsewhere).
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    // ---- the three calls ------------------------------------------------------------------------------------

    @Override
    public OutboundResponse write(OutboundWrite write, Instant deadline) {
        OutboundTarget target = write.target();
        OutboundProfile profile = profile(target);
        boolean recordIdKnown = write.recordId() != null && !write.recordId().isBlank();
        Optional<Operation> chosen = write.action() == OutboundWrite.Action.DELETE ? Optional.of(Operation.DELETE)
                : profile.upsertOperation(recordIdKnown);
        if (chosen.isEmpty()) {
            // the caller checks this first (OutboundSender); here too, so that no path can create a second record
            return notSendable(profile.noUpdateReason(Untrusted.text(write.recordId())));
        }
        Operation operation = chosen.get();
        Optional<RequestSpec> spec = profile.request(operation);
        if (spec.isEmpty()) {
            return notSendable("profile " + profile.name() + " has no " + operation.key() + " request");
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("externalId", write.externalId());
        values.put("externalIdProperty", profile.externalIdProperty());
        values.put("recordId", recordIdKnown ? write.recordId() : null);
        values.put("resource", write.resource());
        values.put("changeAgent", write.changeAgent());
        values.put("idempotencyKey", write.idempotencyKey());
        values.put("correlationId", write.correlationId());
        Map<String, Object> input = input(values);
        input.put("fields", write.fields());
        input.put("params", target.params());
        Call call = new Call(profile, target, operation, spec.get(), variables(values, target));
        Exchange exchange;
        try {
            exchange = send(call, request(call, Optional.empty(), input), deadline);
        } catch (NotSendable e) {
            return notSent(e);
        }
        if (!(exchange instanceof Answer answer) || !answer.success()) {
            return failure(call, exchange);
        }
        try {
            // the write happened: an answer that is not JSON is read as no body (the known id, if any, stands)
            Object body = answer.jsonOrNothing();
            rejection(call, answer, body).ifPresent(reason -> {
                throw new NotSendable(reason);
            });
            String recordId = call.spec().recordId().map(source -> text(evaluate(source, body))).orElse(null);
            if (recordId == null || recordId.isBlank()) {
                recordId = recordIdKnown ? write.recordId() : null; // 204 without a body: the id we already knew
            }
            return new OutboundResponse.Done(answer.status(), recordId, object(body), answer.headers(),
                    landedAt(call, body));
        } catch (NotSendable | IllegalArgumentException e) {
            return new OutboundResponse.Rejected(answer.status(), bounded(e.getMessage()), answer.headers());
        }
    }

    /**
     * When the write landed, as the answer says (the profile's {@code updatedAt}); nothing when it does not say or
     * says something that is not a time: the write stands either way, recorded as of the system's last change.
     */
    private Optional<Instant> landedAt(Call call, Object body) {
        Optional<String> source = call.spec().updatedAt();
        if (source.isEmpty() || body == null) {
            return Optional.empty();
        }
        try {
            Object value = evaluate(source.get(), body);
            return value == null || String.valueOf(value).isBlank() ? Optional.empty()
                    : Optional.of(FieldType.parseInstant(value instanceof Number ? value : String.valueOf(value)));
        } catch (IllegalArgumentException | ArithmeticException e) {
            LOG.debugf("%s %s: updatedAt not readable: %s", call.profile().name(), call.operation().key(),
                    bounded(e.getMessage()));
            return Optional.empty();
        }
    }

    @Override
    public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
        OutboundProfile profile = profile(target);
        Optional<RequestSpec> spec = profile.request(Operation.GET);
        if (spec.isEmpty()) {
            return notSendable("profile " + profile.name() + " has no get request");
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("externalIdProperty", profile.externalIdProperty());
        values.put("recordId", recordId);
        values.put("resource", resource);
        values.put("changeAgent", settings.changeAgent());
        Call call = new Call(profile, target, Operation.GET, spec.get(), variables(values, target));
        Exchange exchange;
        try {
            exchange = send(call, request(call, Optional.empty(), Map.of()), deadline);
        } catch (NotSendable e) {
            return notSent(e);
        }
        if (!(exchange instanceof Answer answer) || !answer.success()) {
            return failure(call, exchange);
        }
        try {
            Object body = answer.json();
            Object record = call.spec().record().map(source -> evaluate(source, body)).orElse(body);
            if (!(record instanceof Map)) {
                throw new IllegalArgumentException("the answer holds no record object");
            }
            return new OutboundResponse.Done(answer.status(), recordId, object(record), answer.headers());
        } catch (IllegalArgumentException e) {
            return new OutboundResponse.Rejected(answer.status(), bounded(e.getMessage()), answer.headers());
        }
    }

    @Override
    public PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor,
            Instant deadline) {
        OutboundProfile profile = profile(target);
        Optional<RequestSpec> spec = profile.request(Operation.LIST);
        if (spec.isEmpty()) {
            return new PageResult(notSendable("profile " + profile.name() + " has no list request"), Optional.empty());
        }
        ListSpec listing = spec.get().list().orElseThrow();
        Optional<String> nextUrl = listing.nextPage() == NextPage.URL ? cursor.filter(c -> !c.isBlank())
                : Optional.empty();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("externalIdProperty", profile.externalIdProperty());
        values.put("resource", resource);
        values.put("changeAgent", settings.changeAgent());
        values.put("since", listing.since().format(since));
        values.put("pageSize", Integer.toString(listing.pageSize()));
        values.put("cursor", listing.nextPage() == NextPage.CURSOR ? cursor.filter(c -> !c.isBlank()).orElse(null)
                : null);
        Map<String, Object> input = input(values);
        input.put("pageSize", listing.pageSize());
        input.put("params", target.params());
        Call call = new Call(profile, target, Operation.LIST, spec.get(), variables(values, target));
        Exchange exchange;
        try {
            exchange = send(call, request(call, nextUrl, input), deadline);
        } catch (NotSendable e) {
            return new PageResult(notSent(e), Optional.empty());
        }
        if (!(exchange instanceof Answer answer) || !answer.success()) {
            return new PageResult(failure(call, exchange), Optional.empty());
        }
        try {
            Object body = answer.json();
            Object items = evaluate(listing.items(), body);
            List<Map<String, Object>> records = new ArrayList<>();
            if (items instanceof Map) {
                records.add(object(items)); // JSONata yields a single match unwrapped
            } else if (items instanceof Collection<?> all) {
                for (Object item : all) {
                    if (!(item instanceof Map)) {
                        throw new IllegalArgumentException("list.items yields something that is not a record");
                    }
                    records.add(object(item));
                }
            } else if (items != null) {
                throw new IllegalArgumentException("list.items yields something that is not a list of records");
            }
            Optional<String> next = listing.next().map(source -> text(evaluate(source, body)))
                    .filter(n -> !n.isBlank());
            return new PageResult(new OutboundResponse.Done(answer.status(), null, Map.of(), answer.headers()),
                    Optional.of(new Page(records, next, records.stream().map(JsonValues::write).toList())));
        } catch (IllegalArgumentException e) {
            return new PageResult(new OutboundResponse.Rejected(answer.status(), bounded(e.getMessage()),
                    answer.headers()), Optional.empty());
        }
    }

    // ---- building a request ----------------------------------------------------------------------------------

    private record Call(OutboundProfile profile, OutboundTarget target, Operation operation, RequestSpec spec,
            Function<String, Optional<String>> variables) {

        String describe() {
            return "profile=" + profile.name() + " operation=" + operation.key() + " tenant=" + target.tenant()
                    + " system=" + target.system();
        }
    }

    private record Outgoing(HttpRequest.Builder builder, String method, Optional<String> body,
            Optional<String> contentType) {
    }

    /**
     * Nothing was sent: the profile or the target cannot make this request ({@code Rejected(0)}), or a dependency
     * failed for now — the secret store — ({@code Unavailable(0)}, {@code transient}).
     */
    private static final class NotSendable extends RuntimeException {
        final boolean transientFailure;

        NotSendable(String message) {
            this(message, false);
        }

        NotSendable(String message, boolean transientFailure) {
            super(message, null, false, false);
            this.transientFailure = transientFailure;
        }
    }

    private OutboundProfile profile(OutboundTarget target) {
        return profiles.find(target.profile()).orElseThrow(() -> new IllegalStateException(
                "no outbound profile '" + target.profile() + "' (target " + target.system() + "/" + target.tenant() + ")"));
    }

    /** A JSONata input: a variable without a value is absent (undefined in JSONata, so left out of objects). */
    private static Map<String, Object> input(Map<String, String> values) {
        Map<String, Object> input = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value != null) {
                input.put(name, value);
            }
        });
        return input;
    }

    private static Function<String, Optional<String>> variables(Map<String, String> values, OutboundTarget target) {
        return name -> {
            String value = name.startsWith("params.") ? target.params().get(name.substring("params.".length()))
                    : values.get(name);
            return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
        };
    }

    private Outgoing request(Call call, Optional<String> nextUrl, Map<String, Object> input) {
        RequestSpec spec = call.spec();
        String where = "requests." + call.operation().key();
        String base = baseUrl(call);
        URI uri;
        String method = spec.method();
        if (nextUrl.isPresent()) {
            uri = sameOrigin(base, nextUrl.get());
            method = "GET";
        } else {
            String path = spec.path().render(call.variables(), HttpOutboundClient::percent).orElseThrow(() -> new NotSendable(
                    where + ".path needs {" + spec.path().missing(call.variables()).orElse("?") + "}"));
            StringBuilder url = new StringBuilder(base).append(path);
            char separator = path.contains("?") ? '&' : '?';
            for (Map.Entry<String, Template> param : spec.query().entrySet()) {
                Optional<String> value = param.getValue().render(call.variables(), v -> v);
                if (value.isPresent()) { // a parameter whose value is missing (the first page's cursor) is left out
                    url.append(separator).append(percent(param.getKey())).append('=').append(percent(value.get()));
                    separator = '&';
                }
            }
            uri = uri(url.toString());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.put("User-Agent", "loopfree-sync");
        render(call, call.profile().headers(), headers);
        render(call, spec.headers(), headers);
        if (call.profile().auth() == Auth.BEARER) {
            headers.put("Authorization", "Bearer " + token(call));
        }
        Optional<String> body = Optional.empty();
        Optional<String> contentType = Optional.empty();
        if (spec.body().isPresent() && nextUrl.isEmpty()) {
            Object value = evaluateBody(spec.body().get(), input, where);
            try {
                body = Optional.of(spec.encoding() == BodyEncoding.FORM ? form(value, where) : JsonValues.write(value));
            } catch (IllegalArgumentException e) {
                throw new NotSendable(where + ".body " + e.getMessage());
            }
            contentType = Optional.of(spec.encoding().contentType());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        try {
            headers.forEach(builder::header);
            contentType.ifPresent(type -> builder.header("Content-Type", type));
        } catch (IllegalArgumentException e) { // a restricted header (Host, Content-Length…) in the profile
            throw new NotSendable(where + ": " + e.getMessage());
        }
        return new Outgoing(builder, method, body, contentType);
    }

    private static void render(Call call, Map<String, Template> templates, Map<String, String> into) {
        templates.forEach((name, template) -> template.render(call.variables(), v -> v)
                .ifPresent(value -> into.put(name, value))); // a header whose value is missing is left out
    }

    private static String baseUrl(Call call) {
        Optional<String> override = call.target().param("baseUrl").filter(b -> !b.isBlank());
        String base = override.or(() -> call.profile().baseUrl().flatMap(t -> t.render(call.variables(), v -> v)))
                .orElseThrow(() -> new NotSendable("no base URL for profile " + call.profile().name()
                        + ": set the target's params.baseUrl"
                        + call.profile().baseUrl().flatMap(t -> t.missing(call.variables()))
                                .map(m -> " or {" + m + "}").orElse("")));
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.startsWith("https://") && !base.startsWith("http://")) {
            throw new NotSendable("base URL is not http(s): " + bounded(base));
        }
        return base;
    }

    /** A next-page URL from a response: a path on the base URL, or an absolute URL under it (never another host). */
    private static URI sameOrigin(String base, String next) {
        if (next.startsWith("/")) {
            return uri(base + next);
        }
        if (next.startsWith(base + "/") || next.startsWith(base + "?")) {
            return uri(next);
        }
        throw new NotSendable("the next-page URL is not under the base URL: " + bounded(next));
    }

    private static URI uri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new NotSendable("not a valid URL: " + bounded(text));
        }
    }

    private String token(Call call) {
        List<String> tokens;
        try {
            tokens = secrets.webhookSecrets(call.target().system(), call.target().tenant(),
                    call.target().credentialsPurpose());
        } catch (SecretStore.SecretStoreUnavailableException e) {
            throw new NotSendable("the secret store is unavailable (" + e.getClass().getSimpleName() + ")", true);
        }
        if (tokens.isEmpty() || tokens.get(0) == null || tokens.get(0).isBlank()) {
            throw new NotSendable("no '" + call.target().credentialsPurpose() + "' secret for "
                    + call.target().system() + "/" + call.target().tenant());
        }
        return tokens.get(0);
    }

    /** RFC 3986 percent-encoding of a path segment or query component (a space is %20, never '+'). */
    static String percent(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    /** {@code application/x-www-form-urlencoded} the way Stripe reads it: {@code a[b]=v}, {@code a[0]=v}, null as empty. */
    static String form(Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new NotSendable(where + ".body must yield an object for a form body");
        }
        StringBuilder out = new StringBuilder();
        map.forEach((k, v) -> form(out, String.valueOf(k), v));
        return out.toString();
    }

    private static void form(StringBuilder out, String key, Object value) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> form(out, key + "[" + k + "]", v));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                form(out, key + "[" + i + "]", list.get(i));
            }
        } else {
            if (out.length() > 0) {
                out.append('&');
            }
            String text = value == null ? "" : value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
                    ? Long.toString(d.longValue()) : String.valueOf(value);
            out.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(text, StandardCharsets.UTF_8));
        }
    }

    // ---- sending, with bounded retries -----------------------------------------------------------------------

    private sealed interface Exchange {
    }

    /** What the target answered (the last attempt's answer when 5xx persisted). */
    private record Answer(int status, Map<String, List<String>> headers, String body) implements Exchange {

        boolean success() {
            return status >= 200 && status < 300;
        }

        Object jsonOrNothing() {
            try {
                return json();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        Object json() {
            if (body == null || body.isBlank()) {
                return null;
            }
            try {
                return JsonValues.parse(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("the answer is not JSON");
            }
        }
    }

    /** Nothing usable answered: timeouts or connection failures until the attempts or the deadline ran out. */
    private record NoAnswer(String reason) implements Exchange {
    }

    /*
     * Retries are an explicit loop rather than SmallRye Fault Tolerance (on the classpath, used by the SQS adapter):
     * its @Retry/@Timeout take their bounds from annotations or configuration, fixed per method, while this call's
     * budget is the caller's deadline (the Lambda's remaining time), different on every call; its programmatic
     * Guard would have to be built per call and taught to retry on 5xx *answers* and to stop before a wait that
     * ends past the deadline, which is more code than this loop and harder to read. Full jitter, as in "Exponential
     * Backoff and Jitter" (AWS Architecture Blog): wait a random time in [0, min(max, base * 2^(attempt-1))).
     */
    private Exchange send(Call call, Outgoing outgoing, Instant deadline) {
        Exchange last = new NoAnswer("the deadline passed before the call");
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            Duration remaining = Duration.between(clock.instant(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                break;
            }
            Duration timeout = remaining.compareTo(settings.requestTimeout()) < 0 ? remaining : settings.requestTimeout();
            boolean retryable;
            try {
                HttpRequest request = outgoing.builder().copy().timeout(timeout)
                        .method(outgoing.method(), outgoing.body().map(b -> HttpRequest.BodyPublishers.ofString(b,
                                StandardCharsets.UTF_8)).orElse(HttpRequest.BodyPublishers.noBody()))
                        .build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Answer answer = new Answer(response.statusCode(), headers(response), response.body());
                LOG.debugf("outbound %s status=%d attempt=%d", call.describe(), answer.status(), attempt);
                if (answer.status() < 500) {
                    return answer;
                }
                last = answer;
                retryable = call.spec().retryable();
            } catch (HttpConnectTimeoutException | ConnectException e) {
                last = new NoAnswer("could not connect (" + e.getClass().getSimpleName() + ")");
                retryable = true; // nothing was sent
            } catch (HttpTimeoutException e) {
                last = new NoAnswer("timed out after " + timeout.toMillis() + " ms");
                retryable = call.spec().retryable();
            } catch (IOException e) {
                last = new NoAnswer("connection failed (" + e.getClass().getSimpleName() + ": " + bounded(e.getMessage()) + ")");
                retryable = call.spec().retryable();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new NoAnswer("interrupted");
            }
            if (!retryable || attempt == settings.maxAttempts()) {
                break;
            }
            long ceiling = Math.min(settings.maxBackoff().toMillis(),
                    settings.baseBackoff().toMillis() * (1L << Math.min(attempt - 1, 20)));
            long wait = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling);
            if (clock.instant().plusMillis(wait).isAfter(deadline)) {
                break;
            }
            LOG.infof("outbound retry %s attempt=%d/%d after=%s wait=%dms", call.describe(), attempt,
                    settings.maxAttempts(), last instanceof Answer a ? "status " + a.status() : ((NoAnswer) last).reason(),
                    wait);
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new NoAnswer("interrupted");
                }
            }
        }
        return last;
    }

    private static Map<String, List<String>> headers(HttpResponse<?> response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> headers
                .computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        headers.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(headers);
    }

    // ---- mapping answers -------------------------------------------------------------------------------------

    private OutboundResponse failure(Call call, Exchange exchange) {
        OutboundResponse response;
        if (exchange instanceof NoAnswer none) {
            response = new OutboundResponse.Unavailable(0, none.reason(), Map.of());
        } else {
            Answer answer = (Answer) exchange;
            int status = answer.status();
            if (status == 404 && (call.operation() == Operation.GET || call.operation() == Operation.DELETE)) {
                return new OutboundResponse.NotFound(status, answer.headers());
            } else if (status == 429) {
                response = new OutboundResponse.RateLimited(status,
                        answer.headers().getOrDefault("retry-after", List.of()).stream().findFirst()
                                .flatMap(value -> RetryAfter.parse(value, clock.instant())),
                        answer.headers());
            } else if (status >= 500) {
                response = new OutboundResponse.Unavailable(status, reason(answer), answer.headers());
            } else {
                response = new OutboundResponse.Rejected(status, reason(answer), answer.headers());
            }
        }
        LOG.warnf("outbound %s %s status=%d", call.describe(), response.getClass().getSimpleName(), response.status());
        return response;
    }

    private static OutboundResponse notSent(NotSendable e) {
        if (e.transientFailure) {
            LOG.warnf("outbound not sent, for now: %s", bounded(e.getMessage()));
            return new OutboundResponse.Unavailable(0, bounded(e.getMessage()), Map.of());
        }
        return notSendable(e.getMessage());
    }

    private static OutboundResponse notSendable(String reason) {
        LOG.warnf("outbound not sent: %s", bounded(reason));
        return new OutboundResponse.Rejected(0, bounded(reason), Map.of());
    }

    private Optional<String> rejection(Call call, Answer answer, Object body) {
        return call.spec().error().map(source -> evaluate(source, body))
                .filter(HttpOutboundClient::present)
                .map(error -> "HTTP " + answer.status() + " reported an error: "
                        + (error instanceof String text ? text : JsonValues.write(error)));
    }

    private static String reason(Answer answer) {
        String body = answer.body() == null ? "" : answer.body().strip();
        return bounded("HTTP " + answer.status() + (body.isEmpty() ? "" : ": " + body));
    }

    /** At most {@value #REASON_LIMIT} characters, control characters escaped: safe to log. */
    static String bounded(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < REASON_LIMIT; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.length() < text.length() && out.length() >= REASON_LIMIT ? out + "…" : out.toString();
    }

    // ---- JSONata ---------------------------------------------------------------------------------------------

    private Object evaluateBody(String source, Map<String, Object> input, String where) {
        try {
            return evaluate(source, input);
        } catch (IllegalArgumentException e) {
            throw new NotSendable(where + ".body " + e.getMessage());
        }
    }

    /**
     * Serialized: jsonata-java 0.9.8 keeps per-evaluation state that concurrent evaluations share (see
     * JsonataChangeMapping); a Lambda instance makes one call at a time anyway.
     */
    private Object evaluate(String source, Object input) {
        synchronized (expressions) {
            Jsonata expression = expressions.computeIfAbsent(source, Jsonata::jsonata);
            try {
                return JsonValues.fromJsonata(expression.evaluate(input));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("failed (" + e.getClass().getSimpleName() + ": "
                        + brief(e.getMessage()) + "): " + bounded(source));
            }
        }
    }

    /**
     * jsonata-java's errors (and the JDK's, e.g. {@code For input string: "ada@example.com"}) quote the values they
     * failed on — personal data: keep the text before the first quote.
     */
    private static String brief(String message) {
        if (message == null) {
            return "no message";
        }
        int quote = -1;
        for (int i = 0; i < message.length() && quote < 0; i++) {
            if (message.charAt(i) == '"' || message.charAt(i) == '\'') {
                quote = i;
            }
        }
        return bounded(quote >= 0 ? message.substring(0, quote).trim() : message);
    }

    private static boolean present(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Collection<?> items) {
            return !items.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        return !(value instanceof String text) || !text.isBlank();
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 ? text(list.get(0)) : null;
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (value instanceof Map) {
            throw new IllegalArgumentException("expected a single value, got an object");
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> map ? Collections.unmodifiableMap((Map<String, Object>) map) : Map.of();
    }
}
