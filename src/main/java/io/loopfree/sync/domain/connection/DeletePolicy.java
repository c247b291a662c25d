package io.loopfree.sync.domain.connection;

import java.util.Locale;

/** What a record deleted in one system does to the others. A delete is never inferred from a partial listing. */
public enum DeletePolicy {
    /** Delete it in every other system that has it. */
    propagate,
    /** Keep a pending delete per system with status {@code held}; an operator approves it (or drops it). */
    hold,
    /** Record the delete in the sync state only. */
    ignore;

    public static DeletePolicy parse(String value) {
        if (value == null || value.isBlank()) {
            return hold;
        }
        try {
            return valueOf(value.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("onDelete '" + value + "' is not one of propagate, hold, ignore");
        }
    }
}
