package io.gapwatch.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here, so the Dockerfile is checked for what would break a build or a container: every
 * path it copies from the context exists and is not left out by .dockerignore, and the image's entrypoint and
 * commands are ones the launcher knows. (CI also lints it with dockerfilelint and dockerfile-utils.)
 */
class DockerfileTest {
    static final Path DOCKERFILE = Path.of("Dockerfile");
    static final Pattern COPY = Pattern.compile("^COPY\\s+(?!--from)(.+)$", Pattern.MULTILINE);
    static final Pattern CMD = Pattern.compile("^CMD\\s+\\[(.+)]$", Pattern.MULTILINE);

    @Test
    void everyPathCopiedFromTheContextExistsAndIsNotIgnored() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        List<String> sources = new ArrayList<>();
        Matcher m = COPY.matcher(dockerfile);
        while (m.find()) {
            String[] words = m.group(1).trim().split("\\s+");
            sources.addAll(List.of(words).subList(0, words.length - 1));
        }
        assertThat(sources).contains("pom.xml", "src/main", "db", "bin/gapwatch", "config");
        for (String source : sources) {
            assertThat(Path.of(source)).as("COPY %s", source).exists();
            assertThat(inContext(source, ignore)).as("%s is left out of the build context by .dockerignore", source).isTrue();
        }
        assertThat(inContext("src/test", ignore)).as("tests stay out of the image's build context").isFalse();
        assertThat(inContext("target", ignore)).isFalse();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theEntrypointIsTheLauncherAndEveryStageCommandIsOneItKnows() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(dockerfile).contains("COPY bin/gapwatch bin/gapwatch", "WORKDIR /opt/gapwatch",
                "ENTRYPOINT [\"/opt/gapwatch/bin/gapwatch\"]", "COPY --from=build /src/target/gapwatch.jar target/gapwatch.jar");
        Matcher m = CMD.matcher(dockerfile);
        List<String> commands = new ArrayList<>();
        while (m.find()) {
            commands.add(m.group(1).split(",")[0].trim().replace("\"", ""));
        }
        assertThat(commands).containsExactly("server", "agent");
        for (String command : commands) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.gapwatch.Gapwatch", command, "--help")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("gapwatch %s --help: %s", command, out).isZero();
            assertThat(out).startsWith("Usage: gapwatch " + command);
        }
    }

    @Test
    void theImageRunsAsAnUnprivilegedUser() throws IOException {
        List<String> users = Files.readAllLines(DOCKERFILE).stream().filter(l -> l.startsWith("USER ")).toList();
        assertThat(users).isNotEmpty();
        assertThat(users.get(users.size() - 1)).isEqualTo("USER 10001:10001");
    }

    /** Docker's rule: the last matching pattern wins; "!" puts a path back. */
    private static boolean inContext(String path, List<String> patterns) {
        boolean included = true;
        for (String pattern : patterns) {
            boolean negate = pattern.startsWith("!");
            String glob = negate ? pattern.substring(1) : pattern;
            var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            for (Path p = Path.of(path); p != null; p = p.getParent()) {
                if (matcher.matches(p)) {
                    included = negate;
                    break;
                }
            }
        }
        return included;
    }
}
