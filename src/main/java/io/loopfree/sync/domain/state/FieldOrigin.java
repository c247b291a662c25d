package io.loopfree.sync.domain.state;

import java.time.Instant;

import io.loopfree.sync.domain.change.Actor;

/**
 * Where a canonical field's value came from: the system, when the edit happened there (its occurred-at), when we
 * applied it (our sync timestamp, the tie-breaker of last-write-wins), and who made it there ({@code actor}: a
 * person, an integration, or nobody the provider names) — so that a value that later loses can be told apart as a
 * person's (a conflict) or an integration's.
 */
public record FieldOrigin(String system, Instant occurredAt, Instant syncedAt, Actor.Kind actor) {

    public FieldOrigin {
        actor = actor == null ? Actor.Kind.unknown : actor;
    }

    /** An origin whose actor is not known (stored before origins named it). */
    public FieldOrigin(String system, Instant occurredAt, Instant syncedAt) {
        this(system, occurredAt, syncedAt, Actor.Kind.unknown);
    }

    /** Does an edit from {@code system} at {@code occurredAt}, synced now, beat this value under last-write-wins? */
    public boolean loses(Instant occurredAt) {
        return !occurredAt.isBefore(this.occurredAt);
    }
}
