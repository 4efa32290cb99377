package io.gapwatch.client;

import io.gapwatch.cli.Json;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** {@code gapwatch token create|list|revoke}: manage API tokens through the server's API, as an admin. */
public final class TokenCommand {
    public static final String HELP = """
            Usage: gapwatch token create --role viewer|operator|admin|enrollment [--name N]
                   gapwatch token list
                   gapwatch token revoke ID
              Manage API tokens (needs an admin token). The secret of a new token is printed once.

              --server URL   the gapwatch server (default http://127.0.0.1:8080, or $GAPWATCH_SERVER)
              --token T      an admin token (default $GAPWATCH_TOKEN)
            """;

    private TokenCommand() {
    }

    public static int main(String[] args, PrintStream out) {
        if (args.length == 0 || args[0].equals("--help")) {
            out.print(HELP);
            return args.length == 0 ? 2 : 0;
        }
        String action = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String id = null;
        if (action.equals("revoke")) {
            if (rest.length == 0 || !rest[0].matches("\\d{1,18}")) {
                throw new UsageException("token revoke: needs the token's numeric id (gapwatch token list shows them)");
            }
            id = rest[0];
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        Options o = Options.parse("token", rest, Set.of("server", "token", "role", "name"), Set.of());
        String server = o.get("server", System.getenv().getOrDefault("GAPWATCH_SERVER", "http://127.0.0.1:8080"));
        String token = o.get("token", System.getenv("GAPWATCH_TOKEN"));
        if (token == null) {
            throw new UsageException("token: an admin token is needed: --token T or $GAPWATCH_TOKEN");
        }
        HttpRequest.Builder request;
        switch (action) {
            case "create" -> {
                if (!o.has("role")) {
                    throw new UsageException("token create: --role is required (viewer, operator, admin, enrollment)");
                }
                String body = Json.MAPPER.writeValueAsString(Map.of("role", o.get("role", null),
                        "name", o.get("name", o.get("role", null) + " token")));
                request = HttpRequest.newBuilder(uri(server, "/api/v1/tokens")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
            }
            case "list" -> request = HttpRequest.newBuilder(uri(server, "/api/v1/tokens")).GET();
            case "revoke" -> request = HttpRequest.newBuilder(uri(server, "/api/v1/tokens/" + id + "/revoke"))
                    .POST(HttpRequest.BodyPublishers.noBody());
            default -> throw new UsageException("token: unknown action '" + action + "'; expected create, list or revoke");
        }
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            out.println(response.body());
            return response.statusCode() / 100 == 2 ? 0 : 1;
        } catch (IOException e) {
            throw new UsageException("token: cannot reach " + server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static URI uri(String server, String path) {
        try {
            return URI.create(server.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new UsageException("token: --server must be a URL like http://127.0.0.1:8080");
        }
    }
}
