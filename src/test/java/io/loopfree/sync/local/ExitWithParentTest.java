package io.loopfree.sync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * {@code ./mvnw -Plocal} stopped by TERM must leave no engine JVM behind: the engine's JVM ends with the process
 * that started it. Here a shell stands for Maven: it starts the JVM in the background and is then sent TERM.
 */
class ExitWithParentTest {

    @Test
    void theJvmEndsWhenItsParentIsTerminated() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
                + ExitWithParent.class.getName() + " & wait";
        Process shell = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        long childPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("the child's first line").startsWith("pid ");
            childPid = Long.parseLong(line.substring(4).trim());
            Optional<ProcessHandle> child = ProcessHandle.of(childPid);
            assertThat(child).isPresent();

            shell.destroy(); // SIGTERM to the "Maven" process only, as `kill <mvn pid>` does

            await().atMost(Duration.ofSeconds(20)).until(() -> !child.get().isAlive());
        } finally {
            shell.destroyForcibly();
        }
        assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
