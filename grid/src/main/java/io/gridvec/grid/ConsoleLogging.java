package io.gridvec.grid;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Gridvec's own log lines ({@code System.Logger}, which goes to java.util.logging) on the node's stderr, one line per
 * record plus the stack trace of a failure. Ignite's logger silences JUL's root handlers in its quiet mode, so without
 * this a node process shows none of them. Stateless apart from the logger it holds.
 */
final class ConsoleLogging {

    /** Held here: java.util.logging keeps loggers only weakly, and would drop the handler with a collected one. */
    private static final Logger GRIDVEC = Logger.getLogger("io.gridvec");

    private ConsoleLogging() {}

    /** Sends the {@code io.gridvec} loggers' records at INFO and above to stderr, once. */
    static synchronized void install() {
        if (GRIDVEC.getHandlers().length > 0) {
            return;
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.INFO);
        handler.setFormatter(new OneLine());
        GRIDVEC.setLevel(Level.INFO);
        GRIDVEC.addHandler(handler);
        GRIDVEC.setUseParentHandlers(false);
    }

    /** {@code <instant> <LEVEL> <logger>: <message>}, then the stack trace of a failure. */
    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder().append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(record.getLevel()).append(' ').append(record.getLoggerName()).append(": ")
                    .append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
