package io.gapwatch.cli;

/** The command line is wrong: print the message and the command's help, exit 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
