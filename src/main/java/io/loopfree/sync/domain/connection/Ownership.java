package io.loopfree.sync.domain.connection;

import java.util.Map;
import java.util.Objects;

/**
 * Who decides a record's fields when systems disagree. Every rule ends in one canonical value per unified field;
 * an edit the rule rejects is written back over (the system converges to the canonical value).
 */
public sealed interface Ownership {

    /** One system owns the whole resource: other systems' edits are overwritten with its values. */
    record ObjectLevel(String owner) implements Ownership {
        public ObjectLevel {
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** The system that created a record (first reported it) owns that record. */
    record RecordLevel() implements Ownership {
    }

    /** Each named unified field has an owner system; fields nobody owns follow last-write-wins. */
    record FieldLevel(Map<String, String> owners) implements Ownership {
        public FieldLevel {
            owners = Map.copyOf(owners);
        }
    }

    /**
     * The newest edit wins, per field, by the provider's occurred-at; on a tie the change we sync later wins (our
     * sync timestamp breaks it, so every instance decides the same way given the same order of applies).
     */
    record LastWriteWins() implements Ownership {
    }
}
