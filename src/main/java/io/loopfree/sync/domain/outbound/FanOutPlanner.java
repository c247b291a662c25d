package io.loopfree.sync.domain.outbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.DeletePolicy;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.state.CanonicalFields;
import io.loopfree.sync.domain.state.FieldOrigin;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;

/**
 * Step 7 of the processor, pure: given a change that passed every filter and the record's next sync state (the
 * change's system already updated), decide the record's canonical fields under the connection's ownership rule and
 * the writes that bring every other system to them.
 * <ol>
 * <li>What the change asserts: the unified fields whose values differ from what that system told us before
 * (a complete change re-states every field; only the edited ones count as edits), minus the fields the system may
 * not be read from.</li>
 * <li>Ownership: each asserted field is accepted into the canonical fields or rejected.</li>
 * <li>Per system of the connection: the canonical fields in its own names (fields it may be written), diffed
 * field by field against what we last knew there; nothing differs → no write. The change's own system is
 * written only to overwrite edits the ownership rule rejected.</li>
 * </ol>
 */
public final class FanOutPlanner {

    private FanOutPlanner() {
    }

    /**
     * @param after       the tracked fields the record has in the target once written; {@code afterHash} its hash
     * @param held        a delete waiting for approval (connection {@code onDelete=hold})
     */
    public record PlannedWrite(OutboundWrite write, FieldSet after, String afterHash, boolean held) {
    }

    /**
     * @param state   the next sync state with the canonical fields decided
     * @param writes  one per system that differs
     * @param skipped systems of the connection with nothing to write (the diff found no difference)
     * @param rejected unified fields of the change the ownership rule did not accept
     */
    public record Plan(RecordState state, List<PlannedWrite> writes, int skipped, List<String> rejected) {

        /** One pending write per planned write, each with its own token, at the plan's record version. */
        public List<PendingWrite> pendingWrites(Instant now) {
            List<PendingWrite> pending = new ArrayList<>();
            for (PlannedWrite planned : writes) {
                pending.add(new PendingWrite(OutboxKey.of(planned.write()), planned.write(), planned.after(),
                        java.util.UUID.randomUUID().toString(),
                        planned.held() ? PendingWrite.Status.held : PendingWrite.Status.pending, 0, null, now, now,
                        state.version()));
            }
            return pending;
        }
    }

    public static Plan plan(Connection connection, Change change, RecordState previous, RecordState next,
            Function<String, Optional<FieldMapping>> mappings, String changeAgent, Instant now) {
        FieldMapping sourceMapping = mappings.apply(change.system()).orElseThrow(
                () -> new IllegalStateException("no field mapping for " + change.system() + "/" + change.resource()));
        ConnectionSystem source = connection.system(change.system()).orElseThrow(
                () -> new IllegalStateException(change.system() + " is not a system of connection "
                        + connection.tenant() + "/" + connection.resource()));
        if (change.deleted()) {
            return planDelete(connection, change, next, changeAgent);
        }
        Map<String, Object> asserted = asserted(change, previous, next, sourceMapping, source);
        String recordOrigin = next.origin();
        Map<String, Object> values = new TreeMap<>(next.canonical().values());
        Map<String, FieldOrigin> origins = new TreeMap<>(next.canonical().origins());
        List<String> rejected = new ArrayList<>();
        asserted.forEach((field, value) -> {
            if (accepts(connection.ownership(), recordOrigin, change, field, origins.get(field))) {
                values.put(field, value);
                origins.put(field, new FieldOrigin(change.system(), change.occurredAt(), now));
            } else {
                rejected.add(field);
            }
        });
        CanonicalFields canonical = new CanonicalFields(values, origins);
        RecordState decided = next.withCanonical(canonical, false); // a change that is not a delete: the record lives

        List<PlannedWrite> writes = new ArrayList<>();
        int skipped = 0;
        for (ConnectionSystem target : connection.systems()) {
            boolean isSource = target.system().equals(change.system());
            if (isSource && rejected.stream().noneMatch(origins::containsKey)) {
                continue;
            }
            FieldMapping mapping = mappings.apply(target.system()).orElseThrow(
                    () -> new IllegalStateException("no field mapping for " + target.system() + "/" + change.resource()));
            Optional<PlannedWrite> write = upsert(target, mapping, decided, change, canonical, changeAgent);
            if (write.isPresent()) {
                writes.add(write.get());
            } else if (!isSource) {
                skipped++;
            }
        }
        return new Plan(decided, writes, skipped, rejected);
    }

    /** The unified fields the change states and may state, that differ from what its system told us before. */
    private static Map<String, Object> asserted(Change change, RecordState previous, RecordState next,
            FieldMapping mapping, ConnectionSystem source) {
        FieldSet now = readable(next.system(change.system()).map(SystemState::fields).orElse(FieldSet.EMPTY), source);
        Optional<SystemState> before = previous.system(change.system());
        Map<String, Object> unifiedNow = mapping.toUnified(now);
        if (before.isEmpty() || before.get().fetchRequired()) {
            return unifiedNow;
        }
        Map<String, Object> unifiedBefore = mapping.toUnified(readable(before.get().fields(), source));
        Map<String, Object> edited = new LinkedHashMap<>();
        unifiedNow.forEach((field, value) -> {
            if (!unifiedBefore.containsKey(field) || !Objects.equals(unifiedBefore.get(field), value)) {
                edited.put(field, value);
            }
        });
        return edited;
    }

    private static FieldSet readable(FieldSet fields, ConnectionSystem system) {
        Map<String, Object> kept = new TreeMap<>();
        fields.values().forEach((name, value) -> {
            if (system.direction(name).readable()) {
                kept.put(name, value);
            }
        });
        return FieldSet.of(kept);
    }

    static boolean accepts(Ownership ownership, String recordOrigin, Change change, String field, FieldOrigin current) {
        String system = change.system();
        if (ownership instanceof Ownership.ObjectLevel object) {
            return object.owner().equals(system);
        }
        if (ownership instanceof Ownership.RecordLevel) {
            return recordOrigin == null || recordOrigin.equals(system);
        }
        if (ownership instanceof Ownership.FieldLevel fields && fields.owners().containsKey(field)) {
            return fields.owners().get(field).equals(system);
        }
        return lastWriteWins(change, current);
    }

    private static boolean lastWriteWins(Change change, FieldOrigin current) {
        return current == null || current.loses(change.occurredAt());
    }

    private static Optional<PlannedWrite> upsert(ConnectionSystem target, FieldMapping mapping, RecordState state,
            Change change, CanonicalFields canonical, String changeAgent) {
        Optional<SystemState> known = state.system(target.system());
        if (known.isPresent() && known.get().deleted()) {
            return Optional.empty(); // never resurrect a record deleted there
        }
        Map<String, Object> desired = new TreeMap<>();
        mapping.fromUnified(canonical.values()).values().forEach((name, value) -> {
            if (target.direction(name).writable()) {
                desired.put(name, value);
            }
        });
        Map<String, Object> written = new TreeMap<>();
        if (known.isEmpty()) {
            desired.forEach((name, value) -> {
                if (value != null) {
                    written.put(name, value);
                }
            });
        } else {
            Map<String, Object> there = known.get().fields().values();
            desired.forEach((name, value) -> {
                if (!there.containsKey(name) || !Objects.equals(there.get(name), value)) {
                    written.put(name, value);
                }
            });
        }
        if (written.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> after = new TreeMap<>();
        mapping.tracked().keySet().forEach(name -> after.put(name, null));
        known.ifPresent(k -> after.putAll(k.fields().values()));
        after.putAll(written);
        FieldSet afterFields = FieldSet.of(after);
        OutboundWrite write = new OutboundWrite(target.target(), change.resource(), state.key().canonicalKey(),
                externalId(state), known.map(SystemState::recordId).orElse(null), OutboundWrite.Action.UPSERT, written,
                IdempotencyKeys.of(target.target(), change.resource(), state.key().canonicalKey(),
                        OutboundWrite.Action.UPSERT, written, state.version()),
                changeAgent, correlationId(change));
        return Optional.of(new PlannedWrite(write, afterFields, afterFields.hash(), false));
    }

    private static Plan planDelete(Connection connection, Change change, RecordState next, String changeAgent) {
        RecordState decided = next.withCanonical(next.canonical(), connection.onDelete() != DeletePolicy.ignore);
        List<PlannedWrite> writes = new ArrayList<>();
        int skipped = 0;
        if (connection.onDelete() != DeletePolicy.ignore) {
            for (ConnectionSystem target : connection.systems()) {
                if (target.system().equals(change.system())) {
                    continue;
                }
                Optional<SystemState> known = decided.system(target.system());
                if (known.isEmpty() || known.get().deleted() || known.get().recordId() == null) {
                    skipped++;
                    continue;
                }
                Map<String, Object> none = Map.of();
                OutboundWrite write = new OutboundWrite(target.target(), change.resource(), decided.key().canonicalKey(),
                        externalId(decided), known.get().recordId(), OutboundWrite.Action.DELETE, none,
                        IdempotencyKeys.of(target.target(), change.resource(), decided.key().canonicalKey(),
                                OutboundWrite.Action.DELETE, none, decided.version()),
                        changeAgent, correlationId(change));
                writes.add(new PlannedWrite(write, known.get().fields(), known.get().fieldHash(),
                        connection.onDelete() == DeletePolicy.hold));
            }
        }
        return new Plan(decided, writes, skipped, List.of());
    }

    /** The id we own for the record in every system (upserts use it): its canonical key. */
    public static String externalId(RecordState state) {
        return state.key().canonicalKey();
    }

    private static String correlationId(Change change) {
        return change.system() + ":" + change.eventId();
    }
}
