package io.loopfree.sync.adapters.dynamodb;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.connection.InvalidConnectionException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Seeds connections from a JSON file (an array of connection items in their console shape, see
 * {@link ConnectionItemMapper}) for local runs and tests. Each is validated before it is written.
 */
public final class ConnectionSeeds {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectionSeeds() {
    }

    public static List<Map<String, AttributeValue>> items(InputStream json) {
        try {
            List<Map<String, Object>> entries = JSON.readValue(json, new TypeReference<List<Map<String, Object>>>() {
            });
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            entries.forEach(entry -> items.add(ConnectionItemMapper.fromJson(entry)));
            return items;
        } catch (IOException e) {
            throw new InvalidConnectionException("the connections file is not a JSON array of connections: "
                    + e.getMessage(), e);
        }
    }

    /** Writes every connection of the file (replacing those with the same tenant and resource). */
    public static int seed(DynamoDbClient dynamo, String stateTable, InputStream json) {
        List<Map<String, AttributeValue>> items = items(json);
        items.forEach(item -> dynamo.putItem(b -> b.tableName(stateTable).item(item)));
        return items.size();
    }
}
