package io.loopfree.sync.ops;

import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@Command(name = "record", description = "A record's sync history", subcommands = RecordCommands.History.class)
final class RecordCommands {

    @ParentCommand
    LoopfreeOps root;

    /**
     * The record's sync state (per system: origin tags, fields, direction, event and correlation ids), canonical
     * fields, links, pending/held/failed outbound writes, live markers, and the dedup items of the last event each
     * system delivered (their outcome says which layer decided). Read-only; strongly consistent reads.
     */
    @Command(name = "history", description = "Show a record: state with origin tags, links, outbox, markers, dedup items")
    static final class History implements Callable<Integer> {
        @ParentCommand
        RecordCommands parent;

        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String resource;
        @Parameters(index = "2", description = "canonical key (app:c_42) or system:id of the record in any system")
        String key;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                ObjectNode report = OpsItemMapper.JSON.createObjectNode();
                String canonical = key;
                int colon = key.indexOf(':');
                if (colon > 0) {
                    Map<String, AttributeValue> link = get(ops, ops.stateTable, "LINK#" + tenant + "#" + resource + "#"
                            + key.substring(0, colon) + "#" + key.substring(colon + 1), "LINK");
                    if (link != null) {
                        report.set("linkUsed", OpsItemMapper.toJson(link));
                        canonical = OpsItemMapper.text(link, "canonicalKey");
                    }
                }
                report.put("canonicalKey", canonical);
                Map<String, AttributeValue> state = get(ops, ops.stateTable,
                        "RECORD#" + tenant + "#" + resource + "#" + canonical, "STATE");
                if (state == null) {
                    throw new OpsContext.OpsException("no sync state RECORD#" + tenant + "#" + resource + "#" + canonical);
                }
                report.set("state", OpsItemMapper.toJson(state));
                ObjectNode links = report.putObject("links");
                ObjectNode outbox = report.putObject("outbox");
                ObjectNode markers = report.putObject("markers");
                ObjectNode events = report.putObject("lastEvents");
                AttributeValue systems = state.get("systems");
                if (systems != null && systems.hasM()) {
                    for (Map.Entry<String, AttributeValue> entry : systems.m().entrySet()) {
                        String system = entry.getKey();
                        Map<String, AttributeValue> entryMap = entry.getValue().m();
                        String recordId = OpsItemMapper.text(entryMap, "recordId");
                        String account = OpsItemMapper.text(entryMap, "account");
                        String eventId = OpsItemMapper.text(entryMap, "eventId");
                        if (recordId != null) {
                            put(links, system, get(ops, ops.stateTable, "LINK#" + tenant + "#" + resource + "#" + system
                                    + "#" + recordId, "LINK"));
                        }
                        if (account != null) {
                            put(outbox, system, get(ops, ops.stateTable, "OUTBOX#" + tenant + "#" + system + "#"
                                    + account, resource + "#" + canonical));
                        }
                        put(markers, system, get(ops, ops.eventsTable, "MARKER#" + tenant + "#" + system + "#"
                                + resource + "#" + canonical, null));
                        if (eventId != null) {
                            put(events, system, get(ops, ops.eventsTable, "EVENT#" + system + "#" + tenant + "#"
                                    + eventId, null));
                        }
                    }
                }
                ops.out.println(OpsItemMapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            }
            return 0;
        }

        private static void put(ObjectNode node, String name, Map<String, AttributeValue> item) {
            if (item != null) {
                node.set(name, OpsItemMapper.toJson(item));
            }
        }

        static Map<String, AttributeValue> get(OpsContext ops, String table, String pk, String sk) {
            Map<String, AttributeValue> key = sk == null ? Map.of("pk", AttributeValue.fromS(pk))
                    : Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
            Map<String, AttributeValue> item = ops.dynamo().getItem(b -> b.tableName(table).key(key).consistentRead(true))
                    .item();
            return item == null || item.isEmpty() ? null : item;
        }
    }
}
