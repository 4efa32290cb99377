package io.gapwatch.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian amd64 kernel release name, as in the package {@code linux-image-<release>}: {@code 6.1.0-56-amd64},
 * {@code 6.12.117+deb12-amd64}, {@code 6.12.12+bpo-amd64}, {@code 6.1.0-56-cloud-amd64}.
 * The pattern is strict because the name becomes a package name, a directory name and an argument of apt:
 * no shell ever sees it, but a name like {@code ../x} or {@code -o=...} must not get that far either.
 */
public record KernelRelease(String name) implements Comparable<KernelRelease> {
    private static final Pattern DEBIAN = Pattern.compile(
            "\\d{1,2}\\.\\d{1,3}\\.\\d{1,4}(?:-\\d{1,4}|\\+deb\\d{1,3}|\\+bpo)(?:-(?:cloud|rt))?-amd64");
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    /** Older kernels sort first: 6.1.0-47 before 6.1.0-56 before 6.12.100 before 6.12.117. */
    private static final Comparator<KernelRelease> ORDER = Comparator
            .comparing(KernelRelease::numbers, KernelRelease::compareNumbers)
            .thenComparing(KernelRelease::name);

    public KernelRelease {
        if (name == null || !DEBIAN.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a Debian amd64 kernel release"
                    + " (expected a name like 6.12.117+deb12-amd64 or 6.1.0-56-amd64)");
        }
    }

    public static boolean isValid(String name) {
        return name != null && DEBIAN.matcher(name).matches();
    }

    /** The kernel series: 6.12 for 6.12.117+deb12-rt-amd64, 6.1 for 6.1.0-56-amd64. */
    public String series() {
        List<Long> n = numbers();
        return n.get(0) + "." + n.get(1);
    }

    /** Debian's flavour: amd64 (generic), cloud-amd64 or rt-amd64 (PREEMPT_RT). */
    public String flavour() {
        return name.endsWith("-cloud-amd64") ? "cloud-amd64" : name.endsWith("-rt-amd64") ? "rt-amd64" : "amd64";
    }

    /** The Debian package that ships this kernel's image and modules. */
    public String imagePackage() {
        return "linux-image-" + name;
    }

    @Override
    public int compareTo(KernelRelease other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return name;
    }

    private List<Long> numbers() {
        List<Long> numbers = new ArrayList<>();
        // The flavour suffix (amd64, cloud, rt) carries no version: "amd64" must not count as 64.
        Matcher m = NUMBERS.matcher(name.replaceFirst("(?:-(?:cloud|rt))?-amd64$", ""));
        while (m.find()) {
            numbers.add(Long.parseLong(m.group()));
        }
        return numbers;
    }

    private static int compareNumbers(List<Long> a, List<Long> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Long.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
