package io.loopfree.sync.support;

import java.time.Clock;
import java.time.ZoneOffset;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** In tests the application clock stands at {@link Fixtures#REPLAYED_AT}, so recorded signatures stay fresh. */
public class FixtureClock {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    Clock fixtureClock() {
        return Clock.fixed(Fixtures.REPLAYED_AT, ZoneOffset.UTC);
    }
}
