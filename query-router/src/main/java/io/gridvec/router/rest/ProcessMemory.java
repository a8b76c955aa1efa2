package io.gridvec.router.rest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This process's memory as {@code GET /health} reports it: the JVM heap and, on Linux, the resident set size (RSS,
 * heap plus off-heap plus code, what the operating system charges the process). Stateless and thread-safe.
 */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Returns {@code pid}, {@code heapUsedBytes}, {@code heapCommittedBytes}, {@code heapMaxBytes}, {@code rssBytes}. */
    static Map<String, Object> now() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("pid", ProcessHandle.current().pid());
        memory.put("heapUsedBytes", heap.getUsed());
        memory.put("heapCommittedBytes", heap.getCommitted());
        memory.put("heapMaxBytes", heap.getMax());
        memory.put("rssBytes", rssBytesOrNull());
        return memory;
    }

    /** Reads {@code VmRSS} from {@code /proc/self/status}; null where there is no such file (not Linux). */
    private static Long rssBytesOrNull() {
        if (!Files.isReadable(STATUS)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    // "VmRSS:	  123456 kB"
                    return 1024 * Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + STATUS, e);
        }
    }
}
