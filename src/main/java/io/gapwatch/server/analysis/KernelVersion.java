package io.gapwatch.server.analysis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel release split into the series it belongs to and its version within it, ordered by Debian's
 * version rules (dpkg's), so that {@code 6.12.99+deb12-amd64 < 6.12.100+deb12-amd64} and
 * {@code 6.1.0-47-amd64 < 6.1.0-56-amd64}. A series is one branch (major.minor) of one flavour of one kind
 * of target: {@code 6.12-amd64}, {@code 6.12-cloud-amd64} and {@code 6.12-rt-amd64} are three series, and the
 * simulated kernels {@code sim:6.12.100 ...} are a fourth, {@code sim:6.12}. Kernels of different series are
 * never ordered against each other.
 *
 * @param release the name as agents report it
 * @param series  the series key, e.g. {@code 6.12-amd64}
 * @param version the Debian version within the series, e.g. {@code 6.12.117+deb12} or {@code 6.1.0-56}
 */
public record KernelVersion(String release, String series, String version) implements Comparable<KernelVersion> {
    /** Optional "kind:" prefix (sim:), the version, then the flavour from the first "-" followed by a letter. */
    private static final Pattern RELEASE = Pattern.compile("(?<prefix>[a-z]+:)?(?<version>(?<branch>\\d+\\.\\d+)[^-]*(?:-\\d[^-]*)*)(?:-(?<flavour>[a-z].*))?");

    public static KernelVersion parse(String release) {
        Matcher m = RELEASE.matcher(release);
        if (!m.matches()) {
            // Not a versioned name: a series of its own, with one member.
            return new KernelVersion(release, release, "");
        }
        String prefix = m.group("prefix") == null ? "" : m.group("prefix");
        String flavour = m.group("flavour") == null ? "" : "-" + m.group("flavour");
        return new KernelVersion(release, prefix + m.group("branch") + flavour, m.group("version"));
    }

    public boolean sameSeries(KernelVersion other) {
        return series.equals(other.series);
    }

    /** Orders by series name first (an arbitrary but total order), then by Debian version within a series. */
    @Override
    public int compareTo(KernelVersion other) {
        int bySeries = series.compareTo(other.series);
        return bySeries != 0 ? bySeries : compareDebian(version, other.version);
    }

    @Override
    public String toString() {
        return release;
    }

    /** dpkg's version comparison: upstream part, then the revision after the last hyphen. */
    static int compareDebian(String a, String b) {
        int ha = a.lastIndexOf('-');
        int hb = b.lastIndexOf('-');
        String upstreamA = ha < 0 ? a : a.substring(0, ha);
        String upstreamB = hb < 0 ? b : b.substring(0, hb);
        int c = verrevcmp(upstreamA, upstreamB);
        if (c != 0) {
            return c;
        }
        return verrevcmp(ha < 0 ? "" : a.substring(ha + 1), hb < 0 ? "" : b.substring(hb + 1));
    }

    /** dpkg's verrevcmp: non-digit runs compare by {@link #order}, digit runs numerically. */
    private static int verrevcmp(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !digit(a, i)) || (j < b.length() && !digit(b, j))) {
                int ac = order(a, i);
                int bc = order(b, j);
                if (ac != bc) {
                    return Integer.compare(ac, bc);
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            int firstDiff = 0;
            while (i < a.length() && digit(a, i) && j < b.length() && digit(b, j)) {
                if (firstDiff == 0) {
                    firstDiff = Integer.compare(a.charAt(i), b.charAt(j));
                }
                i++;
                j++;
            }
            if (i < a.length() && digit(a, i)) {
                return 1;
            }
            if (j < b.length() && digit(b, j)) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff;
            }
        }
        return 0;
    }

    /** Letters sort before other characters, '~' before everything, even the end of the string. */
    private static int order(String s, int i) {
        if (i >= s.length() || digit(s, i)) {
            return 0;
        }
        char c = s.charAt(i);
        if (Character.isLetter(c)) {
            return c;
        }
        return c == '~' ? -1 : c + 256;
    }

    private static boolean digit(String s, int i) {
        return Character.isDigit(s.charAt(i));
    }
}
