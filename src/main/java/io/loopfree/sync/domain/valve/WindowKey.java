package io.loopfree.sync.domain.valve;

import java.time.Instant;
import java.util.List;

/** One account's outbound-write counter for the window starting at {@code start}. */
public record WindowKey(AccountKey account, Instant start) {

    /** What a counter holds: the writes counted, and a bounded sample of the records written. */
    public record Count(WindowKey key, long writes, List<String> records) {
        public Count {
            records = List.copyOf(records);
        }
    }
}
