package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.router.security.AuditLog;
import java.nio.file.Path;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.logger.slf4j.Slf4jLogger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * A node process's logs, all through Log4j 2: Gridvec's own lines ({@code System.Logger}, routed by log4j-jpl),
 * Ignite's ({@link Slf4jLogger}) and Jetty's and Javalin's (SLF4J, all routed by log4j-slf4j2-impl). Every line goes
 * to a rotating JSON file ({@code log.file}, JsonTemplateLayout's ECS layout, one object per line, with the
 * {@code requestId} of the request being served); the console shows Gridvec's lines at {@code log.level} and the
 * others' warnings and errors, one readable line each. The audit log ({@link AuditLog}) goes to a rotating file of its
 * own ({@code security.auditFile}), one JSON object per line. Configured by {@code gridvec start}; until then (and in
 * a JVM that never calls {@link #configure}: other commands, the in-process test nodes) the jar's {@code log4j2.xml}
 * shows Gridvec's lines from INFO and the others' from WARN on the console, and Ignite keeps its default logger.
 */
public final class NodeLogging {

    /** The console line: time, level, logger, message, the request id when there is one, and a failure's trace. */
    private static final String CONSOLE_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %c{1.}: %msg"
            + "%notEmpty{ [request %X{requestId}]}%n%throwable";

    private static volatile boolean configured;

    private NodeLogging() {}

    /**
     * Configures Log4j for this process from {@code config}'s {@code log} section. Log4j's own shutdown hook is off:
     * the node's stop logs until its end and then calls {@link #shutdown()}.
     */
    public static synchronized void configure(GridvecConfig config) {
        GridvecConfig.Log log = config.log();
        Path file = config.logFile();
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        ConfigurationBuilder<BuiltConfiguration> builder = ConfigurationBuilderFactory.newConfigurationBuilder();
        builder.setConfigurationName("gridvec");
        builder.setStatusLevel(Level.WARN);
        builder.setShutdownHook("disable");
        builder.add(builder.newAppender("console", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                .add(builder.newLayout("PatternLayout").addAttribute("pattern", CONSOLE_PATTERN)));
        builder.add(builder.newAppender("json", "RollingFile")
                .addAttribute("fileName", file.toString())
                .addAttribute("filePattern", file.resolveSibling(base + "-%i.json.gz").toString())
                .add(builder.newLayout("JsonTemplateLayout").addAttribute("eventTemplateUri", "classpath:EcsLayout.json"))
                .addComponent(builder.newComponent("Policies").addComponent(builder
                        .newComponent("SizeBasedTriggeringPolicy").addAttribute("size", log.maxFileMb() + "MB")))
                .addComponent(builder.newComponent("DefaultRolloverStrategy").addAttribute("max", log.maxFiles())));
        Path audit = config.auditFile();
        String auditBase = audit.getFileName().toString().replaceFirst("\\.json$", "");
        builder.add(builder.newAppender("audit", "RollingFile")
                .addAttribute("fileName", audit.toString())
                .addAttribute("filePattern", audit.resolveSibling(auditBase + "-%i.json.gz").toString())
                // Each audit message is a JSON object already: one per line, nothing around it.
                .add(builder.newLayout("PatternLayout").addAttribute("pattern", "%m%n"))
                .addComponent(builder.newComponent("Policies").addComponent(builder
                        .newComponent("SizeBasedTriggeringPolicy").addAttribute("size", log.maxFileMb() + "MB")))
                .addComponent(builder.newComponent("DefaultRolloverStrategy").addAttribute("max", log.maxFiles())));
        builder.add(builder.newLogger(AuditLog.LOGGER, Level.INFO).addAttribute("additivity", false)
                .add(builder.newAppenderRef("audit")));
        Level level = Level.valueOf(log.level());
        builder.add(builder.newLogger("io.gridvec", level).addAttribute("additivity", false)
                .add(builder.newAppenderRef("console"))
                .add(builder.newAppenderRef("json")));
        builder.add(builder.newRootLogger(level)
                .add(builder.newAppenderRef("console").addAttribute("level", Level.WARN))
                .add(builder.newAppenderRef("json")));
        Configurator.reconfigure(builder.build());
        // Ignite then logs through its logger (to the file, warnings also to the console) instead of printing its
        // banner and notes to the console itself.
        System.setProperty("IGNITE_QUIET", "false");
        configured = true;
    }

    /** Returns the logger Ignite uses: Log4j's once {@link #configure} ran in this process, else Ignite's default. */
    static IgniteLogger igniteLogger() {
        return configured ? new Slf4jLogger() : null;
    }

    /** Flushes and closes the log files: the last step of a node process's stop. */
    public static void shutdown() {
        if (configured) {
            LogManager.shutdown();
        }
    }
}
