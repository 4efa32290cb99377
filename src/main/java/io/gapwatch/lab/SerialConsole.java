package io.gapwatch.lab;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the guest's serial console, line by line, for the protocol of init.sh: marker lines
 * {@code @@gapwatch <nonce> <word> [value]} around the probe's JSON report, its exit code and the guest's
 * uname; a kernel panic; and the last lines for an error message. Only lines equal to a marker count;
 * the nonce is new for every boot. Thread-safe: QEMU's output is read on one thread and judged on another.
 */
final class SerialConsole {
    static final int TAIL_LINES = 30;
    private static final String PANIC = "Kernel panic - not syncing";

    private final String prefix;
    private final Deque<String> tail = new ArrayDeque<>();
    private final StringBuilder reportText = new StringBuilder();
    private boolean inReport;
    private boolean reportComplete;
    private String uname;
    private String failure;
    private String skip;
    private String panic;
    private Integer exitCode;

    SerialConsole(String nonce) {
        this.prefix = "@@gapwatch " + nonce + " ";
    }

    synchronized void accept(String rawLine) {
        // The console's tty turns \n into \r\n; a line cut by a reset may also carry a stray \r.
        String line = rawLine.replace("\r", "");
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        if (line.startsWith(prefix)) {
            marker(line.substring(prefix.length()));
        } else if (inReport) {
            reportText.append(line).append('\n');
        } else if (panic == null && line.contains(PANIC)) {
            panic = line.substring(line.indexOf(PANIC)).strip();
        }
    }

    private void marker(String body) {
        int space = body.indexOf(' ');
        String word = space < 0 ? body : body.substring(0, space);
        String value = space < 0 ? "" : body.substring(space + 1).strip();
        switch (word) {
            case "uname" -> uname = value;
            case "fail" -> failure = value;
            case "skip" -> skip = value;
            case "begin" -> {
                inReport = true;
                reportText.setLength(0);
            }
            case "end" -> {
                inReport = false;
                reportComplete = true;
            }
            case "exit" -> {
                try {
                    exitCode = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    failure = "unreadable exit marker '" + value + "'";
                }
            }
            default -> {
                // An unknown word is an init.sh newer than this reader: keep it in the tail, ignore it.
            }
        }
    }

    /** The guest has said all it will: the exit code came, or init gave up, or the kernel cannot run the probe. */
    synchronized boolean finished() {
        return exitCode != null || failure != null || skip != null;
    }

    /** Why the guest kernel cannot run the probe (its KVM did not load), when it said so. */
    synchronized String skip() {
        return skip;
    }

    synchronized String uname() {
        return uname;
    }

    /** The report's text when both its markers came, else null. */
    synchronized String report() {
        return reportComplete ? reportText.toString() : null;
    }

    synchronized Integer exitCode() {
        return exitCode;
    }

    synchronized String failure() {
        return failure;
    }

    synchronized String panic() {
        return panic;
    }

    synchronized List<String> tail() {
        return new ArrayList<>(tail);
    }
}
