package io.gridvec.loadtest.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest ingest}: loads the data set as fast as the cluster takes it and reports records/s. */
@Command(name = "ingest", sortOptions = false, description = {
    "Creates the collection and upserts every base vector in batches of --batch from --load-clients concurrent "
            + "clients (closed loop), honouring 429 back-pressure (waits Retry-After, resends, counts it), then waits "
            + "until every owner has indexed every write. Reports acknowledged and indexed records/s.", ""})
final class IngestCommand extends ScenarioCommand {

    @Option(names = "--recreate", description = "Delete the collection first when it exists (its data is lost). "
            + "Without it an existing collection is an error.")
    boolean recreate;

    @Override
    String name() {
        return "ingest";
    }

    @Override
    void execute(LoadRun run) throws Exception {
        Loader loader = new Loader(run.targets, run.collection, run.log);
        RestTargets.Response existing = run.targets.call("GET", "/v1/collections/" + run.collection, null);
        if (existing.status() == 200) {
            if (!recreate) {
                throw new IllegalArgumentException("collection " + run.collection + " exists; ingest measures a "
                        + "fresh load: pass --recreate to delete it first, or name another with --collection");
            }
            run.targets.expect(200, "DELETE", "/v1/collections/" + run.collection, null);
        }
        loader.create(run.data.dimension(), run.metric.wireName(), options.partitions, options.backups);
        run.ingest(loader);
    }
}
