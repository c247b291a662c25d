package io.loopfree.sync.domain.change;

/**
 * Who made a change in its system, as far as the provider tells: a person, an integration (an app, a bot, an API
 * client — possibly us), or nobody we can tell.
 */
public record Actor(Kind kind, String id) {

    public enum Kind {
        human,
        integration,
        unknown;

        /** Lenient: provider mappings may say {@code HUMAN}, {@code Integration}…; anything else is unknown. */
        public static Kind parse(String value) {
            if (value == null) {
                return unknown;
            }
            for (Kind kind : values()) {
                if (kind.name().equalsIgnoreCase(value.trim())) {
                    return kind;
                }
            }
            return unknown;
        }
    }

    public static final Actor UNKNOWN = new Actor(Kind.unknown, null);

    public Actor {
        kind = kind == null ? Kind.unknown : kind;
        id = id == null || id.isBlank() ? null : id.trim();
    }
}
