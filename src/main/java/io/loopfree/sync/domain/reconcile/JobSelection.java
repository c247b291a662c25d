package io.loopfree.sync.domain.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.outbound.OutboundTarget;

/**
 * The sync jobs of a run: one per (connection, system) whose outbound profile can list records changed since a
 * time, narrowed by the scheduled event (one named job) and by the deployment's filter ({@code sync.reconciler.jobs}).
 */
public final class JobSelection {

    /** A job and the target its records are listed from. */
    public record Due(ReconcileJob job, OutboundTarget target) {
    }

    private JobSelection() {
    }

    /**
     * @param listable   whether a profile has a {@code list} request
     * @param tenant     only this tenant's jobs, if set
     * @param named      the one job the scheduled event names, if any
     * @param filters    {@code system:account:resource} patterns; empty = every job
     */
    public static List<Due> due(List<Connection> connections, Predicate<String> listable, Optional<String> tenant,
            Optional<ReconcileJob> named, List<String> filters) {
        List<Due> due = new ArrayList<>();
        for (Connection connection : connections) {
            if (tenant.isPresent() && !tenant.get().equals(connection.tenant())) {
                continue;
            }
            for (ConnectionSystem system : connection.systems()) {
                ReconcileJob job = new ReconcileJob(connection.tenant(), system.system(), system.account(),
                        connection.resource());
                if (!listable.test(system.target().profile())) {
                    continue;
                }
                if (named.isPresent() && !named.get().equals(job)) {
                    continue;
                }
                if (!filters.isEmpty() && filters.stream().noneMatch(job::matches)) {
                    continue;
                }
                due.add(new Due(job, system.target()));
            }
        }
        return List.copyOf(due);
    }
}
