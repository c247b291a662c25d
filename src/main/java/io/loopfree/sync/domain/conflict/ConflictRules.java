package io.loopfree.sync.domain.conflict;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.state.FieldOrigin;
import io.loopfree.sync.domain.state.RecordKey;

/**
 * Which lost values are conflicts, pure. A conflict is a person's value of a field that loses to another person's
 * value of the same field set in another system, the two edits within the connection's window of each other by the
 * providers' clocks, with different values. It is caught in both arrival orders:
 * <ul>
 * <li>{@link #replaced}: the loser arrived first, was applied, and the winner's change replaces it;</li>
 * <li>{@link #refused}: the loser arrives second and is not taken (the ownership rule or last-write-wins refuses
 * it in the plan, or it is dropped as stale because our write of the winner landed there after it).</li>
 * </ul>
 * Two edits one after the other are not a race: when the winner's system already held the replaced value (our
 * write of it had landed there), its person saw it and changed it — not a conflict (nor is a record's first,
 * empty value of a field, replaced by the first edit elsewhere).
 * A later edit in the same system is not a conflict (a person correcting themselves), nor is a value equal to the
 * winner, nor one set by an integration (ours never gets here: it is an echo). Who is a person: an actor the
 * provider calls human, or one it does not name (a webhook without an actor, a listed record) — anything but an
 * integration. A value the ownership rule refuses because another system owns the field or record is a conflict
 * whenever a person set it, whatever the time between: the rule, not a race, discarded it.
 */
public final class ConflictRules {

    private ConflictRules() {
    }

    /** A person's edit, or one the provider does not attribute; never an integration's. */
    public static boolean human(Actor.Kind kind) {
        return kind != Actor.Kind.integration;
    }

    /** The two edits happened within {@code window} of each other. */
    public static boolean within(Instant a, Instant b, Duration window) {
        return a != null && b != null && Duration.between(a, b).abs().compareTo(window) <= 0;
    }

    /**
     * The change's value {@code now} replaces the canonical value {@code was} (set from {@code origin}): the
     * replaced value is the loser.
     */
    public static Optional<Conflict> replaced(RecordKey record, String field, Object was, FieldOrigin origin,
            Object now, Change change, String rule, Duration window, Instant at) {
        if (origin == null || origin.system().equals(change.system()) || Objects.equals(was, now)
                || !human(origin.actor()) || !human(change.actor().kind())
                || !within(origin.occurredAt(), change.occurredAt(), window)) {
            return Optional.empty();
        }
        return Optional.of(new Conflict(record, field,
                new Conflict.Side(origin.system(), was, origin.occurredAt(), origin.actor()),
                new Conflict.Side(change.system(), now, change.occurredAt(), change.actor().kind()),
                rule, window, at, change.system() + ":" + change.eventId()));
    }

    /**
     * The change's value {@code offered} is not taken; the canonical value {@code kept} (from {@code keptOrigin},
     * or never edited: then {@code keptBy} names the system it stands for) stays: the offered value is the loser.
     *
     * @param rule {@link Conflict#OWNERSHIP}: a person's value is a conflict whatever its time; otherwise only
     *             against another system's person within the window
     */
    public static Optional<Conflict> refused(RecordKey record, String field, Object offered, Change change,
            Object kept, FieldOrigin keptOrigin, String keptBy, String rule, Duration window, Instant at) {
        if (!human(change.actor().kind()) || Objects.equals(offered, kept)) {
            return Optional.empty();
        }
        if (!Conflict.OWNERSHIP.equals(rule) && (keptOrigin == null || keptOrigin.system().equals(change.system())
                || !human(keptOrigin.actor()) || !within(keptOrigin.occurredAt(), change.occurredAt(), window))) {
            return Optional.empty();
        }
        Conflict.Side winner = keptOrigin != null
                ? new Conflict.Side(keptOrigin.system(), kept, keptOrigin.occurredAt(), keptOrigin.actor())
                : new Conflict.Side(keptBy == null ? "-" : keptBy, kept, null, Actor.Kind.unknown);
        return Optional.of(new Conflict(record, field,
                new Conflict.Side(change.system(), offered, change.occurredAt(), change.actor().kind()),
                winner, rule, window, at, change.system() + ":" + change.eventId()));
    }

    /**
     * The rule that dropped a value as stale (older than what its system holds): the ownership rule's, when it
     * would have refused it anyway; last-write-wins when the kept value is the newer edit; {@link
     * Conflict#OVERWRITTEN} when the dropped value was the newer edit and only our write landing after it made it
     * look old.
     */
    public static String staleRule(boolean ownerRefuses, Instant dropped, FieldOrigin kept) {
        if (ownerRefuses) {
            return Conflict.OWNERSHIP;
        }
        return kept != null && dropped.isAfter(kept.occurredAt()) ? Conflict.OVERWRITTEN : Conflict.LAST_WRITE_WINS;
    }
}
