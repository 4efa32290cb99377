package io.gapwatch.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which server the CLI talks to and as whom: {@code --server}, else $GAPWATCH_SERVER, else the running demo's
 * address ($GAPWATCH_HOME/demo.url, written by {@code gapwatch demo}), else http://127.0.0.1:8080; {@code --token},
 * else $GAPWATCH_TOKEN, else the demo's admin token ($GAPWATCH_HOME/demo.token) when the server is the demo's.
 *
 * @param origin where the server address came from, for messages when it cannot be reached
 */
public record Connection(URI server, String token, String origin) {
    public static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

    public static Connection resolve(String serverOption, String tokenOption, Map<String, String> env, Path home) {
        Path demoUrl = home.resolve("demo.url");
        String server;
        String origin;
        if (serverOption != null) {
            server = serverOption;
            origin = "--server";
        } else if (env.get("GAPWATCH_SERVER") != null && !env.get("GAPWATCH_SERVER").isBlank()) {
            server = env.get("GAPWATCH_SERVER");
            origin = "$GAPWATCH_SERVER";
        } else if (Files.isRegularFile(demoUrl)) {
            server = read(demoUrl);
            origin = demoUrl + " (is the demo still running?)";
        } else {
            server = DEFAULT_SERVER;
            origin = "the default server";
        }
        server = server.replaceAll("/+$", "");
        String token = tokenOption;
        if (token == null && env.get("GAPWATCH_TOKEN") != null && !env.get("GAPWATCH_TOKEN").isBlank()) {
            token = env.get("GAPWATCH_TOKEN");
        }
        Path demoToken = home.resolve("demo.token");
        boolean demoServer = Files.isRegularFile(demoUrl) ? server.equals(read(demoUrl).replaceAll("/+$", ""))
                : server.equals(DEFAULT_SERVER);
        if (token == null && demoServer && Files.isReadable(demoToken)) {
            token = read(demoToken); // the demo's own admin token, only ever sent to the demo
        }
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the server address '" + server + "' from " + origin + " is not a URL");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new IllegalArgumentException("the server address '" + server + "' from " + origin
                    + " is not a URL like http://127.0.0.1:8080");
        }
        return new Connection(uri, token, origin);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
