package io.loopfree.sync.domain.marker;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldSet;

/**
 * The recent writes we made to one record in one system, each written just before the call, so that the webhook
 * each write causes is recognised as our echo. Several writes can be in flight (rapid edits), and an echo may
 * describe any of them, so all live ones are kept; each is short-lived and past its {@code expiresAt} ignored,
 * whether or not DynamoDB has deleted it yet.
 */
public record Marker(MarkerKey key, List<MarkedWrite> writes) {

    public Marker {
        Objects.requireNonNull(key, "key");
        writes = List.copyOf(writes);
    }

    public List<MarkedWrite> live(Instant now) {
        return writes.stream().filter(write -> write.liveAt(now)).toList();
    }

    /**
     * The write whose echo this change is, if any. A complete change must carry exactly the fields the record has
     * after the write (hash), so a person's edit inside the window is not mistaken for our echo; a partial one
     * (one property per webhook) must carry only values we wrote; a skinny one carries nothing to compare, so the
     * newest live write is its match.
     *
     * @param effective the record's fields in that system with the change applied
     */
    public Optional<MarkedWrite> echoOf(Change change, FieldSet effective, Instant now) {
        List<MarkedWrite> live = live(now);
        if (change.skinny()) {
            return live.stream().max(Comparator.comparing(MarkedWrite::writtenAt));
        }
        if (change.partial()) {
            return live.stream().filter(write -> carriesOnly(change.fields(), write.fields())).findFirst();
        }
        String hash = effective.hash();
        return live.stream().filter(write -> write.fieldHash() == null || write.fieldHash().equals(hash)).findFirst();
    }

    private static boolean carriesOnly(FieldSet changed, FieldSet written) {
        if (changed.isEmpty()) {
            return false;
        }
        Map<String, Object> ours = written.values();
        return changed.values().entrySet().stream()
                .allMatch(e -> ours.containsKey(e.getKey()) && Objects.equals(ours.get(e.getKey()), e.getValue()));
    }
}
