package io.loopfree.sync.domain.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.state.CanonicalFields;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;
import io.loopfree.sync.domain.state.SystemState;

/**
 * Pure: what one match becomes. The records of a match become one canonical record, keyed as the lead (winner)
 * record's own default key ({@code app:c_1}), so the lead's later changes find it without a link; every other
 * record gets an identity link to it. The record's state holds each system's record as listed (so a later change
 * of any of them is judged against what it had, and the fan-out updates it rather than creating a copy); the
 * canonical fields are decided by the one planner, as if the lead had just reported its record: the lead's values
 * win where they differ (a field the lead leaves empty is cleared in the others too), subject to the connection's
 * ownership rule; the writes are the differing fields per other system (and creates in systems that have none).
 */
public final class MatchPlanner {

    /**
     * @param plan    the record's first state (version 1) and the writes bringing the others to the lead's values
     * @param links   the other records' links to {@code plan.state().key().canonicalKey()}
     * @param ownKeys the records' own default keys: none may already have a state (a live change got there first)
     */
    public record Pairing(FanOutPlanner.Plan plan, List<LinkKey> links, List<RecordKey> ownKeys) {
        public Pairing {
            links = List.copyOf(links);
            ownKeys = List.copyOf(ownKeys);
        }
    }

    private MatchPlanner() {
    }

    public static Pairing pair(Connection connection, Change lead, List<Change> others,
            Function<String, Optional<FieldMapping>> mappings, String changeAgent, Instant now) {
        String tenant = connection.tenant();
        String resource = connection.resource();
        RecordKey key = new RecordKey(tenant, resource,
                new LinkKey(tenant, resource, lead.system(), lead.recordId()).defaultCanonicalKey());
        RecordState absent = RecordState.absent(key);
        Map<String, SystemState> systems = new TreeMap<>();
        systems.put(lead.system(), listedState(lead, absent, now));
        List<LinkKey> links = new ArrayList<>();
        List<RecordKey> ownKeys = new ArrayList<>();
        for (Change other : others) {
            systems.put(other.system(), listedState(other, absent, now));
            LinkKey link = new LinkKey(tenant, resource, other.system(), other.recordId());
            links.add(link);
            ownKeys.add(new RecordKey(tenant, resource, link.defaultCanonicalKey()));
        }
        RecordState first = new RecordState(key, 1, now, lead.system(), systems, CanonicalFields.EMPTY, false);
        FanOutPlanner.Plan plan = FanOutPlanner.plan(connection, lead, absent, first, mappings, changeAgent, now);
        return new Pairing(plan, links, ownKeys);
    }

    /** A listed record's state in its system, as the processor would record it on first sight. */
    private static SystemState listedState(Change change, RecordState absent, Instant now) {
        StateRules.Decision decision = StateRules.decide(change, absent, now);
        if (!(decision instanceof StateRules.Apply apply)) {
            throw new IllegalStateException("a record with no state is always applied");
        }
        return apply.next().system(change.system()).orElseThrow();
    }
}
