package io.loopfree.sync.looptest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The loop-test command's arguments (docs/loop-test.md), one per line in {@code LOOP_TEST_ARGV} (set by
 * {@code bin/loopfree-loop-test}) or space-separated in {@code -Dloop-test.args=…}:
 * {@code --profile <shipped name | file.json>} [{@code --behaviour <file.json | shipped profile name>}]
 * [{@code --system <name>}] [{@code --mappings <dir>}] [{@code --ingress-profiles <dir>}].
 *
 * @param problem set when the arguments are unusable: the command reports it and exits 2
 */
public record LoopTestArgs(String profile, Optional<Path> profilesDir, Optional<String> behaviour,
        Optional<String> system, Optional<Path> mappingsDir, Optional<Path> ingressProfilesDir,
        Optional<String> problem) {

    public static final String USAGE = "usage: bin/loopfree-loop-test --profile <shipped outbound profile | file.json> "
            + "[--behaviour <file.json | shipped profile name>] [--system <name>] [--mappings <dir>] "
            + "[--ingress-profiles <dir>]";

    /** The arguments this JVM was given, or empty when it was not started as the command. */
    public static Optional<List<String>> given() {
        String argv = System.getenv("LOOP_TEST_ARGV");
        if (argv != null && !argv.isBlank()) {
            return Optional.of(List.of(argv.split("\n")));
        }
        String property = System.getProperty("loop-test.args");
        if (property != null && !property.isBlank()) {
            return Optional.of(Arrays.asList(property.trim().split("\\s+")));
        }
        return Optional.empty();
    }

    public static LoopTestArgs parse(List<String> args) {
        Map<String, String> options = new HashMap<>();
        List<String> known = List.of("--profile", "--behaviour", "--system", "--mappings", "--ingress-profiles");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.isBlank()) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return failed(USAGE);
            }
            if (!known.contains(arg)) {
                return failed("unknown argument '" + arg + "'\n" + USAGE);
            }
            if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                return failed(arg + " needs a value\n" + USAGE);
            }
            options.put(arg, args.get(++i));
        }
        String profile = options.get("--profile");
        if (profile == null) {
            return failed("--profile is required\n" + USAGE);
        }
        Optional<Path> profilesDir = Optional.empty();
        if (profile.endsWith(".json") || profile.contains("/")) {
            Path file = Path.of(profile).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                return failed("outbound profile file not found: " + profile);
            }
            profilesDir = Optional.of(file.getParent());
            String name = file.getFileName().toString();
            profile = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        }
        List<String> problems = new ArrayList<>();
        Optional<Path> mappings = directory(options.get("--mappings"), "--mappings", problems);
        Optional<Path> ingress = directory(options.get("--ingress-profiles"), "--ingress-profiles", problems);
        Optional<String> behaviour = Optional.ofNullable(options.get("--behaviour"));
        if (behaviour.isPresent() && behaviour.get().endsWith(".json") && !Files.isRegularFile(Path.of(behaviour.get()))) {
            problems.add("behaviour file not found: " + behaviour.get());
        }
        return new LoopTestArgs(profile, profilesDir, behaviour, Optional.ofNullable(options.get("--system")), mappings,
                ingress, problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems)));
    }

    /** The provider's behaviour: the file, or the one shipped for the named (or this) profile. */
    public ProviderBehaviour resolveBehaviour() {
        ProviderBehaviour found;
        if (behaviour.isPresent() && behaviour.get().endsWith(".json")) {
            found = ProviderBehaviour.read(Path.of(behaviour.get()));
        } else {
            String shipped = behaviour.orElse(profile);
            found = ProviderBehaviour.shipped(shipped).orElseThrow(() -> new IllegalArgumentException(
                    "no shipped behaviour for '" + shipped + "' (shipped: " + ProviderBehaviour.shippedProfiles()
                            + "); describe your provider with --behaviour <file.json> (docs/loop-test.md)"));
        }
        if (system.isPresent() && !system.get().equals(found.system())) {
            throw new IllegalArgumentException("--system " + system.get() + " but the behaviour " + found.source()
                    + " describes system " + found.system());
        }
        return found.profile().equals(profile) ? found : found.withProfile(profile);
    }

    /** The deployment settings the arguments ask for. */
    public Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        profilesDir.ifPresent(d -> config.put("sync.outbound.profiles-dir", d.toString()));
        mappingsDir.ifPresent(d -> config.put("sync.mappings.dir", d.toString()));
        ingressProfilesDir.ifPresent(d -> config.put("sync.ingress.profiles-dir", d.toString()));
        return config;
    }

    private static Optional<Path> directory(String value, String option, List<String> problems) {
        if (value == null) {
            return Optional.empty();
        }
        Path dir = Path.of(value).toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            problems.add(option + " is not a directory: " + value);
            return Optional.empty();
        }
        return Optional.of(dir);
    }

    private static LoopTestArgs failed(String problem) {
        return new LoopTestArgs("", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(problem));
    }
}
