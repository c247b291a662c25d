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
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.conflict.ConflictRules;
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
 * A person's value that loses on the way (replaced, or refused) is a {@link Conflict} of the plan
 * ({@link ConflictRules}); the processor stores it in the apply's transaction.
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
     * @param conflicts people's values that lost in this plan (either side: the replaced or the refused)
     */
    public record Plan(RecordState state, List<PlannedWrite> writes, int skipped, List<String> rejected,
            List<Conflict> conflicts) {

        public Plan {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }

        public Plan(RecordState state, List<PlannedWrite> writes, int skipped, List<String> rejected) {
            this(state, writes, skipped, rejected, List.of());
        }

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
        List<Conflict> conflicts = new ArrayList<>();
        Map<String, Object> heldBefore = previous.system(change.system()).filter(s -> !s.fetchRequired())
                .map(s -> sourceMapping.toUnified(readable(s.fields(), source))).orElse(Map.of());
        asserted.forEach((field, value) -> {
            Optional<Boolean> owned = ownershipDecides(connection.ownership(), recordOrigin, change.system(), field);
            String rule = owned.isPresent() ? Conflict.OWNERSHIP : Conflict.LAST_WRITE_WINS;
            if (accepts(connection.ownership(), recordOrigin, change, field, origins.get(field))) {
                // the system held the replaced value already (we had written it there): its person saw it and
                // changed it, one edit after the other, not two edits racing
                boolean seen = heldBefore.containsKey(field) && Objects.equals(heldBefore.get(field), values.get(field));
                if (!seen) {
                    ConflictRules.replaced(next.key(), field, values.get(field), origins.get(field), value, change,
                            rule, connection.conflictWindow(), now).ifPresent(conflicts::add);
                }
                values.put(field, value);
                origins.put(field, new FieldOrigin(change.system(), change.occurredAt(), now, change.actor().kind()));
            } else {
                rejected.add(field);
                ConflictRules.refused(next.key(), field, value, change, values.get(field), origins.get(field),
                        owner(connection.ownership(), recordOrigin, field), rule, connection.conflictWindow(), now)
                        .ifPresent(conflicts::add);
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
        return new Plan(decided, writes, skipped, rejected, conflicts);
    }

    /**
     * The people's values of a change dropped as stale (older than what its system holds, our write counted as of
     * when it landed there) that lose to another system's value: the fields it edits (differing from what the
     * system holds) whose value differs from the canonical one.
     */
    public static List<Conflict> refusedAsStale(Connection connection, Change change, RecordState state,
            Function<String, Optional<FieldMapping>> mappings, Instant now) {
        Optional<SystemState> known = state.system(change.system());
        Optional<ConnectionSystem> source = connection.system(change.system());
        Optional<FieldMapping> mapping = mappings.apply(change.system());
        if (known.isEmpty() || source.isEmpty() || mapping.isEmpty() || change.skinny() || change.deleted()
                || !ConflictRules.human(change.actor().kind())) {
            return List.of();
        }
        Map<String, Object> held = mapping.get().toUnified(readable(known.get().fields(), source.get()));
        Map<String, Object> offered = mapping.get().toUnified(
                readable(known.get().fields().overlay(change.fields()), source.get()));
        CanonicalFields canonical = state.canonical();
        List<Conflict> conflicts = new ArrayList<>();
        offered.forEach((field, value) -> {
            if (held.containsKey(field) && Objects.equals(held.get(field), value)) {
                return; // not an edit: what the system already held
            }
            FieldOrigin kept = canonical.origins().get(field);
            boolean ownerRefuses = !ownershipDecides(connection.ownership(), state.origin(), change.system(), field)
                    .orElse(true);
            ConflictRules.refused(state.key(), field, value, change, canonical.values().get(field), kept,
                    owner(connection.ownership(), state.origin(), field),
                    ConflictRules.staleRule(ownerRefuses, change.occurredAt(), kept), connection.conflictWindow(), now)
                    .ifPresent(conflicts::add);
        });
        return conflicts;
    }

    /**
     * An operator's chosen value of one field (a conflict resolved): the canonical value from now on, from {@code
     * origin} (the operator, at the time of the decision), written to every system of the connection that differs.
     * The state is the record's next version; {@code change} stands for the operator's decision (its system is none
     * of the connection's).
     */
    public static Plan override(Connection connection, RecordState state, Change change, String field, Object value,
            FieldOrigin origin, Function<String, Optional<FieldMapping>> mappings, String changeAgent) {
        Map<String, Object> values = new TreeMap<>(state.canonical().values());
        Map<String, FieldOrigin> origins = new TreeMap<>(state.canonical().origins());
        values.put(field, value);
        origins.put(field, origin);
        CanonicalFields canonical = new CanonicalFields(values, origins);
        RecordState decided = new RecordState(state.key(), state.version() + 1, state.createdAt(), state.origin(),
                state.systems(), canonical, state.deleted());
        List<PlannedWrite> writes = new ArrayList<>();
        int skipped = 0;
        for (ConnectionSystem target : connection.systems()) {
            FieldMapping mapping = mappings.apply(target.system()).orElseThrow(
                    () -> new IllegalStateException("no field mapping for " + target.system() + "/" + change.resource()));
            Optional<PlannedWrite> write = upsert(target, mapping, decided, change, canonical, changeAgent);
            if (write.isPresent()) {
                writes.add(write.get());
            } else {
                skipped++;
            }
        }
        return new Plan(decided, writes, skipped, List.of(), List.of());
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
        return ownershipDecides(ownership, recordOrigin, change.system(), field)
                .orElseGet(() -> lastWriteWins(change, current));
    }

    /** Whether the ownership rule takes {@code system}'s value of {@code field}; empty: last-write-wins decides. */
    static Optional<Boolean> ownershipDecides(Ownership ownership, String recordOrigin, String system, String field) {
        if (ownership instanceof Ownership.ObjectLevel object) {
            return Optional.of(object.owner().equals(system));
        }
        if (ownership instanceof Ownership.RecordLevel) {
            return Optional.of(recordOrigin == null || recordOrigin.equals(system));
        }
        if (ownership instanceof Ownership.FieldLevel fields && fields.owners().containsKey(field)) {
            return Optional.of(fields.owners().get(field).equals(system));
        }
        return Optional.empty();
    }

    /** The system the ownership rule gives {@code field} to (null: nobody, last-write-wins). */
    private static String owner(Ownership ownership, String recordOrigin, String field) {
        if (ownership instanceof Ownership.ObjectLevel object) {
            return object.owner();
        }
        if (ownership instanceof Ownership.RecordLevel) {
            return recordOrigin;
        }
        if (ownership instanceof Ownership.FieldLevel fields) {
            return fields.owners().get(field);
        }
        return null;
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
