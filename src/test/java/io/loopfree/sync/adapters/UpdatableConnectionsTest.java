package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.dynamodb.DynamoConnectionRepository;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.outbound.OutboundTarget;

/**
 * A connection that writes through a profile which cannot update a record by its id is refused when it is loaded,
 * with a message naming the profile's file: such a profile could only reach a record a person created there by an
 * upsert by our external id, which creates a second record.
 */
class UpdatableConnectionsTest {

    private final JsonOutboundProfileRepository profiles = new JsonOutboundProfileRepository(Optional.of(directory()));

    @Test
    void aConnectionWritingThroughAProfileWithoutUpdateIsRefusedNamingTheFile() {
        Connection connection = connection("sandbox-upsert-only");
        assertThatThrownBy(() -> DynamoConnectionRepository.requireUpdatable(connection, profiles))
                .isInstanceOf(InvalidConnectionException.class)
                .hasMessageContaining("connection acme/contact: system crm")
                .hasMessageContaining(directory().resolve("sandbox-upsert-only.json").toString())
                .hasMessageContaining("no \"update\" request")
                .hasMessageContaining("second record");
    }

    @Test
    void everyShippedProfileUpdatesByIdAndAnUnknownProfileIsLeftToTheWrite() {
        for (String shipped : List.of("app", "sandbox", "hubspot-contacts", "salesforce-contacts", "stripe-customers",
                "smartsheet-rows")) {
            assertThat(DynamoConnectionRepository.requireUpdatable(connection(shipped), profiles)).as(shipped)
                    .isNotNull();
        }
        assertThat(DynamoConnectionRepository.requireUpdatable(connection("not-a-profile"), profiles)).isNotNull();
    }

    private static Connection connection(String crmProfile) {
        return new Connection("acme", "contact", List.of(system("app", "app"), system("crm", crmProfile)),
                new Ownership.LastWriteWins(), null);
    }

    private static ConnectionSystem system(String name, String profile) {
        return new ConnectionSystem(name, "acct", new OutboundTarget("acme", name, "acct", profile, null, Map.of()),
                Map.of());
    }

    private static Path directory() {
        try {
            return Path.of(UpdatableConnectionsTest.class.getResource("/outbound-upsert-only").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
