package io.loopfree.sync.adapters.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.ports.SyncLedger;
import io.loopfree.sync.support.SyncResources;
import io.loopfree.sync.support.TestBackends;
import io.loopfree.sync.support.TestConfigs;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The conflict item against DynamoDB Local: kept with the drop that decides it or not at all, idempotent (a
 * redelivered decision changes nothing and never reopens a resolved conflict), read back as written; and the
 * connection's {@code conflictWindow}.
 */
class ConflictItemsTest {

    static TestBackends.Started aws;
    static final Instant NOW = Instant.parse("2026-12-07T02:10:02Z");

    @BeforeAll
    static void start() {
        aws = TestBackends.embedded();
    }

    @Test
    void aConflictIsKeptWithItsDropOnceAndAResolvedOneIsNeverReopened() {
        String tenant = "ci" + UUID.randomUUID().toString().substring(0, 8);
        DynamoSyncLedger ledger = new DynamoSyncLedger(aws.dynamo(), TestConfigs.syncConfig(Map.of(
                "sync.tables.state", SyncResources.STATE_TABLE, "sync.tables.events", SyncResources.EVENTS_TABLE)));
        Conflict conflict = conflict(tenant);
        EventKey event = new EventKey("app", tenant, "evt_1");

        assertThat(ledger.recordDrop(event, "dropped:stale", List.of(conflict), NOW, Duration.ofDays(1)))
                .isEqualTo(SyncLedger.COMMITTED);
        Map<String, AttributeValue> item = item(tenant, conflict.sortKey());
        assertThat(item.get("type").s()).isEqualTo("CONFLICT");
        assertThat(item.get("status").s()).isEqualTo("open");
        assertThat(item.get("detectedAt").s()).isEqualTo("2026-12-07T02:10:02.000Z");
        assertThat(ConflictItemMapper.fromItem(item)).isEqualTo(conflict);

        // the same drop delivered again: already done, nothing written
        assertThat(ledger.recordDrop(event, "dropped:stale", List.of(conflict(tenant, "other")), NOW,
                Duration.ofDays(1))).isInstanceOf(SyncLedger.AlreadyClaimed.class);
        assertThat(item(tenant, conflict.sortKey()).get("winner").m().get("value").s()).isEqualTo("+1 555 0199");

        // an operator resolves it; the same lost value decided again (another event) does not reopen it
        aws.dynamo().transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                .update(ConflictItemMapper.resolving(SyncResources.STATE_TABLE, tenant, conflict.sortKey(),
                        new ConflictItemMapper.Resolution("r-1", "+1 555 0142", "ada", "INC-42", NOW))).build()));
        assertThat(ledger.recordDrop(new EventKey("app", tenant, "evt_2"), "dropped:stale", List.of(conflict), NOW,
                Duration.ofDays(1))).isEqualTo(SyncLedger.COMMITTED);
        assertThat(item(tenant, conflict.sortKey()).get("status").s()).isEqualTo("resolving");
        assertThat(ConflictItemMapper.status(item(tenant, conflict.sortKey()))).isEqualTo(Conflict.Status.resolving);
    }

    @Test
    void theConflictWindowIsTheConnectionsAndDefaultsToSixtySeconds() {
        Map<String, Object> json = new java.util.HashMap<>(Map.of("tenant", "acme", "resource", "contact",
                "systems", List.of(Map.of("system", "app", "account", "acme", "profile", "app"))));
        assertThat(ConnectionItemMapper.fromItem(ConnectionItemMapper.fromJson(json)).conflictWindow())
                .isEqualTo(Connection.DEFAULT_CONFLICT_WINDOW).isEqualTo(Duration.ofSeconds(60));
        json.put("conflictWindow", "2m");
        assertThat(ConnectionItemMapper.fromItem(ConnectionItemMapper.fromJson(json)).conflictWindow())
                .isEqualTo(Duration.ofMinutes(2));
        json.put("conflictWindow", 90);
        assertThat(ConnectionItemMapper.fromItem(ConnectionItemMapper.fromJson(json)).conflictWindow())
                .isEqualTo(Duration.ofSeconds(90));
        json.put("conflictWindow", "a minute");
        assertThatThrownBy(() -> ConnectionItemMapper.fromJson(json)).isInstanceOf(InvalidConnectionException.class)
                .hasMessageContaining("conflictWindow");
    }

    private static Conflict conflict(String tenant) {
        return conflict(tenant, "+1 555 0199");
    }

    private static Conflict conflict(String tenant, String won) {
        return new Conflict(new RecordKey(tenant, "contact", "app:c_42"), "phone",
                new Conflict.Side("app", "+1 555 0100", Instant.parse("2026-12-07T02:10:00.120Z"), Actor.Kind.human),
                new Conflict.Side("sandbox-rich", won, Instant.parse("2026-12-07T02:10:00.480Z"), Actor.Kind.human),
                Conflict.LAST_WRITE_WINS, Duration.ofSeconds(60), NOW, "sandbox-rich:evt_9");
    }

    private static Map<String, AttributeValue> item(String tenant, String sortKey) {
        return aws.dynamo().getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                .key(ConflictItemMapper.key(tenant, sortKey)).consistentRead(true)).item();
    }
}
