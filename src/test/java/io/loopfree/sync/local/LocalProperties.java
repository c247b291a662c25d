package io.loopfree.sync.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The local run's {@code local.*} settings as Maven was given them ({@code ./mvnw -Plocal -Dlocal.demo=false}).
 * {@code exec:exec} starts this JVM with only the arguments the pom lists, so the pom writes every {@code local.*}
 * property Maven knows (the pom's defaults and the command line's {@code -D}) to one file
 * ({@code target/local.properties}, antrun's {@code echoproperties}) and passes its path as
 * {@value #FILE_PROPERTY}: a new setting needs no pom change, and a misspelt one fails instead of being ignored.
 */
public final class LocalProperties {

    /** The system property naming the file of {@code local.*} settings (outside {@code local.*} on purpose). */
    public static final String FILE_PROPERTY = "loopfree.local.properties-file";

    /** Every setting the local run reads, and what it does (the message of an unknown one lists them). */
    public static final Map<String, String> KNOWN = new TreeMap<>(Map.ofEntries(
            Map.entry("local.http.port", "the API Gateway stand-in's port (8080)"),
            Map.entry("local.dynamodb.port", "DynamoDB Local's port (8000)"),
            Map.entry("local.sqs.port", "ElasticMQ's port (9324)"),
            Map.entry("local.concurrency", "instances of the ingress and of the processor each (2)"),
            Map.entry("local.function.jvm-options", "JVM options of each function process"),
            Map.entry("local.demo", "start the demo systems of tenant acme (true)"),
            Map.entry("local.demo.port", "the first demo system's port (8091)"),
            Map.entry("local.reconcile.seconds", "the reconciler's schedule (60)"),
            Map.entry("local.visibility.seconds", "the queue's visibility timeout (6 x the processor's timeout)"),
            Map.entry("local.max.receives", "receives before the dead-letter queue (3)"),
            Map.entry("local.processor.timeout.seconds", "the processor's timeout (30)")));

    private LocalProperties() {
    }

    /**
     * The {@code local.*} entries of {@code given}, each one known.
     *
     * @throws IllegalArgumentException naming every unknown one and listing the known ones
     */
    public static Map<String, String> known(Properties given) {
        Map<String, String> local = new TreeMap<>();
        StringBuilder unknown = new StringBuilder();
        for (String name : given.stringPropertyNames()) {
            if (!name.startsWith("local.")) {
                continue;
            }
            if (!KNOWN.containsKey(name)) {
                unknown.append(unknown.isEmpty() ? "" : ", ").append("-D").append(name);
                continue;
            }
            local.put(name, given.getProperty(name));
        }
        if (!unknown.isEmpty()) {
            StringBuilder message = new StringBuilder("unknown local setting ").append(unknown)
                    .append(" (a typo? it would be ignored). The local run reads:");
            KNOWN.forEach((name, meaning) -> message.append("\n  -D").append(name).append("  ").append(meaning));
            throw new IllegalArgumentException(message.toString());
        }
        return local;
    }

    /**
     * Makes the file's settings (and any {@code -Dlocal.*} this JVM was started with) this JVM's system properties,
     * where the local run reads them; checks both. Without the file (started another way) only the check is done.
     */
    public static void apply(Properties system) {
        Properties all = new Properties();
        String file = system.getProperty(FILE_PROPERTY);
        if (file != null && !file.isBlank() && Files.isRegularFile(Path.of(file))) {
            try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.ISO_8859_1)) {
                all.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the local settings " + file, e);
            }
        }
        system.stringPropertyNames().stream().filter(name -> name.startsWith("local."))
                .forEach(name -> all.setProperty(name, system.getProperty(name)));
        known(all).forEach(system::setProperty);
    }
}
