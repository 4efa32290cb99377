package io.gapwatch.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a lab kernel is built from: a base source version (a Debian linux-source, e.g. {@code 6.12.117}), an ordered
 * patch series applied with {@code git am} semantics, and a Kconfig fragment on top of the lab's own config (empty:
 * none). Its {@link #release()} is the kernel's {@code uname -r}, so a result names the recipe it ran on.
 */
public record BuildRecipe(String base, List<Patch> patches, String configFragment) {
    /** The version tag of the naming rule: change it and every name changes with it. */
    private static final String RULE = "gapwatch-build-v1";
    private static final Pattern BASE = Pattern.compile("[0-9]+\\.[0-9]+(\\.[0-9]+)?");

    /** One patch of the series: position 1..n, its subject line without {@code [PATCH n/m]}, its text exactly as given. */
    public record Patch(int position, String subject, String text) {
        public Patch {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(text, "text");
            if (position < 1) {
                throw new IllegalArgumentException("a patch position counts from 1, not " + position);
            }
        }

        /** The patch at {@code position} of a series, its subject read from the text's {@code Subject:} header. */
        public static Patch of(int position, String text) {
            return new Patch(position, subjectOf(text), text);
        }
    }

    public BuildRecipe {
        Objects.requireNonNull(base, "base");
        if (!BASE.matcher(base).matches()) {
            throw new IllegalArgumentException("a base source is a kernel version like 6.12.117, not '" + base + "'");
        }
        patches = List.copyOf(patches == null ? List.of() : patches);
        configFragment = configFragment == null ? "" : configFragment;
        for (int i = 0; i < patches.size(); i++) {
            if (patches.get(i).position() != i + 1) {
                throw new IllegalArgumentException("patch " + (i + 1) + " of the series has position " + patches.get(i).position());
            }
        }
    }

    /** The series of {@code texts} in order, subjects parsed from them. */
    public static BuildRecipe of(String base, List<String> texts, String configFragment) {
        return new BuildRecipe(base, java.util.stream.IntStream.range(0, texts.size())
                .mapToObj(i -> Patch.of(i + 1, texts.get(i))).toList(), configFragment);
    }

    /**
     * {@code <base>-gw-<hex12>}: the first 12 hex digits of SHA-256 over
     * {@code "gapwatch-build-v1\n" + base + "\n" + fragment + "\n"} followed by {@code sha256hex(patch) + "\n"} for
     * each patch in order. Depends on the recipe only (not on the lab's config), so server and agent agree on it.
     */
    public String release() {
        StringBuilder text = new StringBuilder(RULE).append('\n').append(base).append('\n')
                .append(configFragment).append('\n');
        for (Patch p : patches) {
            text.append(sha256Hex(p.text())).append('\n');
        }
        return base + "-gw-" + sha256Hex(text.toString()).substring(0, 12);
    }

    /** The recipe of the first {@code k} patches; {@code prefix(0)} is the base itself (with the same fragment). */
    public BuildRecipe prefix(int k) {
        if (k < 0 || k > patches.size()) {
            throw new IllegalArgumentException("a prefix of " + patches.size() + " patches has 0.." + patches.size() + ", not " + k);
        }
        return new BuildRecipe(base, patches.subList(0, k), configFragment);
    }

    /** The release names a build of this recipe's base, as a builder target names it: {@code build:6.12.117}. */
    public String builderKernel() {
        return builderKernel(base);
    }

    public static String builderKernel(String base) {
        return "build:" + base;
    }

    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)");
    private static final Pattern PATCH_TAG = Pattern.compile("^(\\s*\\[[^]]*\\])+\\s*");

    /**
     * The {@code Subject:} header of a patch in git format-patch / mbox form, folded lines joined and leading
     * {@code [PATCH n/m]}-style tags stripped; a patch without one is named by its first non-empty line.
     */
    public static String subjectOf(String patchText) {
        int headerEnd = patchText.indexOf("\n\n");
        String header = headerEnd < 0 ? patchText : patchText.substring(0, headerEnd);
        Matcher m = SUBJECT.matcher(header);
        if (m.find()) {
            String subject = m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip();
            return PATCH_TAG.matcher(subject).replaceFirst("").strip();
        }
        return patchText.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("(empty patch)");
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
