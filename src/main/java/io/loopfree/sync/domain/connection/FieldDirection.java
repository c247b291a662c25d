package io.loopfree.sync.domain.connection;

/** Which way one field may flow for one system of a connection, on top of the ownership rule. */
public enum FieldDirection {
    /** Read from the system and written to it (the default). */
    both,
    /** Synced into the system, never read out of it: its edits there are ignored (the system only shows it). */
    to_system,
    /** Read from the system, never written to it (read-only there: a computed or system-managed field). */
    from_system;

    public boolean readable() {
        return this != to_system;
    }

    public boolean writable() {
        return this != from_system;
    }

    public static FieldDirection parse(String value) {
        if (value == null || value.isBlank()) {
            return both;
        }
        String key = value.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (FieldDirection direction : values()) {
            if (direction.name().equals(key)) {
                return direction;
            }
        }
        throw new IllegalArgumentException("field direction '" + value + "' is not one of both, to_system, from_system");
    }
}
