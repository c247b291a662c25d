package io.loopfree.sync.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.loopfree.sync.e2e.ScenarioRun;
import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.support.EmbeddedAws;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code ./mvnw -o -Pbench -Dbench=StormBenchmark package exec:exec}: a storm of human edits (issue 11) on the local
 * engine and the demo systems — {@code -Dbench.records} contacts (default 100, a third created in each of the app,
 * the HubSpot-like and the skinny CRM), then {@code -Dbench.edits} human edits (default 10,000) of random records,
 * each in the system the record was created in, at {@code -Dbench.rate} edits/s (default 0: as fast as the sandboxes
 * take them). Prints the scenario's line of figures once the engine is quiet, and checks what a storm must not
 * break: every record converged to its last edit in all three systems, nothing written back to a record's own
 * system, at most one write per edit per target (a burst on one record may coalesce: a newer edit supersedes the
 * pending one, so amplification can be below 1). The engine's log: target/storm-benchmark.log.
 * <p>
 * A storm writes each account far above the loop detector's floor (50 writes per 5-minute window, factor 5): with the
 * product's defaults the detector opens the accounts' breakers {@code loop-suspected} for 15 minutes after about 250
 * writes, and the rest waits in the outbox. To measure the engine rather than that valve, raise the floor in the
 * environment, which the local engine hands to the functions: {@code SYNC_VALVES_LOOP_FLOOR=100000 ./mvnw …}.
 */
public final class StormBenchmark {

    static final int RECORDS = Integer.getInteger("bench.records", 100);
    static final int EDITS = Integer.getInteger("bench.edits", 10_000);
    static final int RATE = Integer.getInteger("bench.rate", 0);
    static final List<String> SYSTEMS = List.of(DemoSystems.APP, DemoSystems.RICH, DemoSystems.SKINNY);

    public static void main(String[] args) throws Exception {
        // started by Maven (exec:exec): when Maven goes, so does this JVM and the function processes it started
        io.loopfree.sync.local.ExitWithParent.install();
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        int concurrency = Integer.getInteger("local.concurrency", 2);
        try (PrintStream log = new PrintStream(Files.newOutputStream(Path.of("target", "storm-benchmark.log")), true);
                LocalEngine engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(),
                        EmbeddedAws.freePort(), Duration.ZERO, Duration.ofSeconds(5), 5, log, concurrency,
                        LocalEngine.PROCESSOR_TIMEOUT).withDemo(0));
                SqsClient sqs = engine.aws().sqsClient()) {
            DemoSystems demo = engine.demo().orElseThrow();
            ScenarioRun setup = new ScenarioRun("storm-setup", engine, sqs);
            List<String[]> records = new ArrayList<>(); // {home system, id}
            for (int i = 0; i < RECORDS; i++) {
                String home = SYSTEMS.get(i % 3);
                records.add(new String[] {home, setup.humanCreate(home, fields(home, i, "Created")).path("id").asText()});
            }
            setup.awaitQuiet(Duration.ofMinutes(10));
            System.out.println(setup.figures(RECORDS));

            ScenarioRun storm = new ScenarioRun("storm-" + EDITS + "-edits-" + RECORDS + "-records", engine, sqs);
            Random random = new Random(11);
            String[] lastEdit = new String[RECORDS];
            long started = System.nanoTime();
            for (int edit = 0; edit < EDITS; edit++) {
                int r = random.nextInt(RECORDS);
                String[] record = records.get(r);
                lastEdit[r] = "Edit" + edit;
                Map<String, Object> fields = fields(record[0], r, lastEdit[r]);
                fields.keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).contains("mail"));
                storm.humanEdit(record[0], record[1], fields);
                if (RATE > 0) {
                    long due = started + (long) ((edit + 1) * 1e9 / RATE);
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                }
            }
            double editSeconds = (System.nanoTime() - started) / 1e9;
            storm.awaitQuiet(Duration.ofHours(2));
            double quietSeconds = (System.nanoTime() - started) / 1e9;

            int converged = 0;
            int lastEditEverywhere = 0;
            for (int r = 0; r < RECORDS; r++) {
                String[] record = records.get(r);
                try {
                    ScenarioRun.Contact contact = storm.assertConverged(record[0], record[1]);
                    converged++;
                    if (lastEdit[r] == null || contact.lastName().equals(lastEdit[r])) {
                        lastEditEverywhere++;
                    }
                } catch (AssertionError diverged) {
                    System.out.println("diverged: " + diverged.getMessage().lines().findFirst().orElse(""));
                }
            }
            int writtenBack = 0;
            for (String system : SYSTEMS) {
                for (String[] record : records) {
                    if (record[0].equals(system)) {
                        writtenBack += storm.writesPerRecord(system).getOrDefault(record[1], 0);
                    }
                }
            }
            System.out.println(storm.figures(EDITS));
            System.out.printf(java.util.Locale.ROOT, "storm: %d edits sent in %.1f s (%.0f edits/s), quiet %.1f s after "
                    + "the first edit; converged %d/%d records, last edit everywhere %d/%d, writes back to a record's "
                    + "own system %d, in the DLQ %s%n", EDITS, editSeconds, EDITS / editSeconds, quietSeconds, converged,
                    RECORDS, lastEditEverywhere, RECORDS, writtenBack, dlq(engine, sqs));
        }
        System.exit(0); // the engine's non-daemon threads are closed; nothing else may keep this JVM
    }

    /** A record's fields in its home system's names; {@code last} is the last name. */
    static Map<String, Object> fields(String system, int i, String last) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        switch (system) {
            case DemoSystems.APP -> {
                fields.put("email", "storm" + i + "@example.com");
                fields.put("name", "Storm " + last);
            }
            case DemoSystems.RICH -> {
                fields.put("email", "storm" + i + "@example.com");
                fields.put("firstname", "Storm");
                fields.put("lastname", last);
            }
            default -> {
                fields.put("Email", "storm" + i + "@example.com");
                fields.put("FirstName", "Storm");
                fields.put("LastName", last);
            }
        }
        return fields;
    }

    static String dlq(LocalEngine engine, SqsClient sqs) {
        return sqs.getQueueAttributes(b -> b.queueUrl(engine.queues().dlqUrl()).attributeNames(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes().get(software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private StormBenchmark() {
    }
}
