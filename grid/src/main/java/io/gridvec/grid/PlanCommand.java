package io.gridvec.grid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gridvec plan}: memory and disk per node for a cluster of a given size, from {@link CapacityModel}. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the heap, data region and disk each node needs for --vectors records of --dim "
                + "dimensions (docs/capacity.md), as JSON.")
final class PlanCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--vectors", required = true, description = "Records in the cluster.")
    long vectors;

    @Option(names = "--dim", required = true, description = "Their dimension.")
    int dim;

    @Option(names = "--backups", defaultValue = "1", description = "Backups of each partition (default "
            + "${DEFAULT-VALUE}).")
    int backups;

    @Option(names = "--nodes", defaultValue = "3", description = "Server nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--m", defaultValue = "24", description = "The HNSW graph's M (default ${DEFAULT-VALUE}).")
    int m;

    @Option(names = "--payload-bytes", defaultValue = "0", description = "Average payload, as JSON text "
            + "(default ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Override
    public Integer call() throws JsonProcessingException {
        String problem = vectors < 1 ? "--vectors must be at least 1"
                : dim < 1 || dim > 65_536 ? "--dim must be in [1, 65536]"
                : nodes < 1 ? "--nodes must be at least 1"
                : backups < 0 || backups >= nodes ? "--backups must be in [0, --nodes)"
                : m < 2 || m > 512 ? "--m must be in [2, 512]"
                : payloadBytes < 0 ? "--payload-bytes must not be negative" : null;
        if (problem != null) {
            System.err.println("gridvec plan: " + problem);
            return 2;
        }
        CapacityModel model = new CapacityModel(vectors, dim, backups, nodes, m, payloadBytes);
        Map<String, Object> perCopy = new LinkedHashMap<>();
        perCopy.put("heapBytes", model.heapPerCopy());
        perCopy.put("partitionFileBytes", model.partitionPerCopy());
        perCopy.put("shardSnapshotBytes", model.snapshotPerCopy());
        Map<String, Object> perNode = new LinkedHashMap<>();
        perNode.put("recordCopies", model.copiesPerNode());
        perNode.put("heapMib", model.heapPerNodeMib());
        perNode.put("dataRegionMib", model.dataRegionPerNodeMib());
        perNode.put("diskGib", gib(model.diskPerNodeBytes()));
        perNode.put("diskPerSnapshotGib", gib(model.snapshotDiskPerNodeBytes()));
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("vectors", vectors);
        plan.put("dim", dim);
        plan.put("backups", backups);
        plan.put("nodes", nodes);
        plan.put("m", m);
        plan.put("payloadBytes", payloadBytes);
        plan.put("perRecordCopy", perCopy);
        plan.put("perNode", perNode);
        plan.put("settings", "GRIDVEC_JAVA_OPTS=-Xmx" + model.heapPerNodeMib() + "m, storage.dataRegionMb: "
                + model.dataRegionPerNodeMib());
        System.out.println(JSON.writeValueAsString(plan));
        return 0;
    }

    private static double gib(long bytes) {
        return Math.round(bytes / (1024.0 * 1024 * 1024) * 10) / 10.0;
    }
}
