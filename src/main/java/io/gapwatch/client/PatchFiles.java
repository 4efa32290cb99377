package io.gapwatch.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A patch series as a user has it on disk: a directory of {@code git format-patch} files ({@code *.patch}, in
 * name order: 0001-..., 0002-...) or one mbox file holding the messages in order. Each patch is its text
 * exactly as written, the bytes its {@link BuildRecipe.Patch} and its name's hash are made of.
 */
public final class PatchFiles {
    /** The line that starts a message in an mbox: git's {@code From <sha> Mon Sep 17 00:00:00 2001} or any mailer's. */
    private static final Pattern MBOX_FROM = Pattern.compile(
            "^From \\S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$");

    private PatchFiles() {
    }

    /** The texts of the series at {@code path}, in order; an empty series is an error (the base needs no file). */
    public static List<String> read(Path path) throws IOException {
        List<String> texts = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".patch")).sorted().toList()) {
                    texts.add(Files.readString(f, StandardCharsets.UTF_8));
                }
            }
            if (texts.isEmpty()) {
                throw new IOException("no *.patch files in " + path + " (git format-patch writes 0001-....patch)");
            }
        } else {
            texts.addAll(splitMbox(Files.readString(path, StandardCharsets.UTF_8)));
            if (texts.isEmpty()) {
                throw new IOException(path + " holds no patch");
            }
        }
        return texts;
    }

    /** The messages of an mbox, each from its {@code From } line; a text without one is a single patch. */
    public static List<String> splitMbox(String mbox) {
        List<String> messages = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : mbox.split("(?<=\n)")) {
            if (MBOX_FROM.matcher(line.stripTrailing()).matches() && !current.isEmpty()) {
                messages.add(current.toString());
                current.setLength(0);
            }
            current.append(line);
        }
        if (!current.toString().isBlank()) {
            messages.add(current.toString());
        }
        return messages;
    }
}
