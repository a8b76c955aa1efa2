package io.gridvec.grid.node;

/**
 * Runs the steps of a stop in order, each even when an earlier one failed, and then throws the first failure with
 * the later ones suppressed, so a failing step never leaves a later one (such as stopping Ignite) undone. Stateless.
 */
final class Shutdown {

    private Shutdown() {}

    /**
     * Runs every step.
     *
     * @throws RuntimeException the first step's failure, with every later failure suppressed in it
     */
    static void runAll(Runnable... steps) {
        RuntimeException first = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
