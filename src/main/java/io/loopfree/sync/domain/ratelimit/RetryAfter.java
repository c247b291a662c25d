package io.loopfree.sync.domain.ratelimit;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The {@code Retry-After} header (RFC 9110 §10.2.3): either a number of seconds to wait ({@code 120}) or an
 * HTTP-date ({@code Wed, 21 Oct 2015 07:28:00 GMT}). Anything else is ignored rather than guessed.
 */
public final class RetryAfter {

    /** Far enough for any real provider window; a larger number is a bug or an attack, capped rather than trusted. */
    private static final long MAX_SECONDS = 7L * 24 * 3600;

    private RetryAfter() {
    }

    /** @return when the provider says to retry, relative to {@code now} for the seconds form */
    public static Optional<Instant> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String text = value.strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.chars().allMatch(Character::isDigit)) {
            if (text.length() > 12) {
                return Optional.of(now.plusSeconds(MAX_SECONDS));
            }
            return Optional.of(now.plusSeconds(Math.min(Long.parseLong(text), MAX_SECONDS)));
        }
        try {
            // RFC 1123 covers IMF-fixdate, the form RFC 9110 requires senders to use
            return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
