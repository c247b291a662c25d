package io.loopfree.sync.domain.valve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;

/**
 * A request to drain one account's held writes at {@code dueAt} (its breaker's reopen time), carried on the
 * processing queue as a delayed message (its envelope's system and tenant are the account's), so that the writes the breaker held go out when it reopens rather than
 * with the next change or reconciler run. The processor recognises it by {@code x-loopfree-source: drain}; like a
 * listed record's headers, the ingress never forwards these (it forwards only the headers a provider profile
 * selects). The body is empty JSON: everything is in the headers, readable in the console.
 * <p>
 * Cheap to repeat: the drain it asks for is claimed on the account's breaker item, so a duplicate (or a request
 * from each of several instances) finds nothing held and ends after one conditional write.
 */
public record DrainRequest(AccountKey account, Instant dueAt) {

    public static final String SOURCE = "drain";
    public static final String ACCOUNT_HEADER = "x-loopfree-account";
    public static final String DUE_AT_HEADER = "x-loopfree-due-at";
    private static final int MAX_READABLE_ID = 200;

    public DrainRequest {
        java.util.Objects.requireNonNull(account, "account");
        java.util.Objects.requireNonNull(dueAt, "dueAt");
    }

    /** How long until it is due (zero when it is). */
    public Duration remaining(Instant now) {
        return now.isBefore(dueAt) ? Duration.between(now, dueAt) : Duration.ZERO;
    }

    /**
     * The envelope on the queue. Its event id names the account and the due second ({@code
     * drain:acme#hubspot#62515:1795168860}), for the logs.
     */
    public Envelope envelope(Instant now) {
        String due = FieldType.formatInstant(dueAt);
        return new Envelope(account.system(), account.tenant(), eventId(), now,
                Map.of("content-type", "application/json",
                        ListedEnvelope.SOURCE_HEADER, SOURCE,
                        ACCOUNT_HEADER, account.account(),
                        DUE_AT_HEADER, due),
                "{}", Envelope.BodyEncoding.utf8);
    }

    private String eventId() {
        String readable = "drain:" + account.label() + ":" + dueAt.getEpochSecond();
        if (readable.length() <= MAX_READABLE_ID) {
            return readable;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(account.label().getBytes(StandardCharsets.UTF_8));
            return "drain:sha256:" + HexFormat.of().formatHex(digest) + ":" + dueAt.getEpochSecond();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The drain request an envelope carries; empty for anything else.
     *
     * @throws IllegalArgumentException when it says it is one but names no account or due time
     */
    public static Optional<DrainRequest> read(Envelope envelope) {
        Map<String, String> headers = envelope.headers();
        if (!SOURCE.equals(headers.get(ListedEnvelope.SOURCE_HEADER))) {
            return Optional.empty();
        }
        String account = headers.get(ACCOUNT_HEADER);
        String due = headers.get(DUE_AT_HEADER);
        if (account == null || account.isBlank() || due == null) {
            throw new IllegalArgumentException("a drain request needs " + ACCOUNT_HEADER + " and " + DUE_AT_HEADER);
        }
        try {
            return Optional.of(new DrainRequest(new AccountKey(envelope.tenant(), envelope.system(), account), Instant.parse(due)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(DUE_AT_HEADER + " is not an ISO-8601 instant", e);
        }
    }
}
