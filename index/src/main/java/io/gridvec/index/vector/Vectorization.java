package io.gridvec.index.vector;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Chooses the JVM's {@link VectorKernels} once, at first use, and logs one line saying which and why.
 *
 * <p>The Panama kernels are used when the {@code jdk.incubator.vector} module is in the boot layer (the JVM ran with
 * {@code --add-modules jdk.incubator.vector}) and C2 is on. The system property {@value #PROPERTY} forces a choice:
 * {@code scalar}, or {@code panama} (which fails at start-up when the module is absent rather than falling back
 * silently). Thread-safe.
 */
public final class Vectorization {

    /** System property that forces the kernel implementation: {@code scalar} or {@code panama}. */
    public static final String PROPERTY = "gridvec.vectorization";

    private static final System.Logger LOG = System.getLogger(Vectorization.class.getName());

    private Vectorization() {}

    /** Returns the kernels this JVM uses. */
    public static VectorKernels kernels() {
        return Holder.KERNELS;
    }

    /** Returns the scalar kernels, always available. */
    public static VectorKernels scalar() {
        return ScalarVectorKernels.INSTANCE;
    }

    /**
     * Returns the Panama kernels.
     *
     * @throws IllegalStateException when the JVM was started without {@code --add-modules jdk.incubator.vector}
     */
    public static VectorKernels panama() {
        if (!vectorModulePresent()) {
            throw new IllegalStateException(
                    "Panama kernels need the JVM flag --add-modules jdk.incubator.vector");
        }
        try {
            return (VectorKernels) Class.forName("io.gridvec.index.vector.PanamaVectorKernels")
                    .getDeclaredField("INSTANCE")
                    .get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the Panama kernels", e);
        }
    }

    /** Returns whether {@code jdk.incubator.vector} is readable in this JVM. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static boolean vmFlag(String name) {
        return Boolean.parseBoolean(vmOption(name));
    }

    /** Returns a HotSpot option's value, or "" on a VM without it. */
    private static String vmOption(String name) {
        var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        if (bean == null) {
            return "";
        }
        try {
            return bean.getVMOption(name).getValue();
        } catch (IllegalArgumentException unknownOption) {
            return "";
        }
    }

    private static boolean c2Enabled() {
        String level = vmOption("TieredStopAtLevel");
        return vmFlag("UseCompiler") && (level.isEmpty() || Integer.parseInt(level) >= 4);
    }

    private static VectorKernels choose() {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "scalar" -> {
                LOG.log(System.Logger.Level.INFO, "Vector kernels: scalar (forced by -D" + PROPERTY + "=scalar)");
                return scalar();
            }
            case "panama" -> {
                VectorKernels k = panama();
                LOG.log(System.Logger.Level.INFO, "Vector kernels: panama, " + describePanama()
                        + " (forced by -D" + PROPERTY + "=panama)");
                return k;
            }
            case "" -> {
                // chosen below
            }
            default -> throw new IllegalArgumentException(
                    PROPERTY + " must be scalar or panama, was '" + forced + "'");
        }
        if (!vectorModulePresent()) {
            LOG.log(System.Logger.Level.INFO,
                    "Vector kernels: scalar (the JVM runs without --add-modules jdk.incubator.vector)");
            return scalar();
        }
        if (!c2Enabled()) {
            LOG.log(System.Logger.Level.INFO, "Vector kernels: scalar (no C2 compiler to intrinsify the Vector API)");
            return scalar();
        }
        VectorKernels k = panama();
        LOG.log(System.Logger.Level.INFO, "Vector kernels: panama, " + describePanama()
                + " (jdk.incubator.vector present)");
        return k;
    }

    private static String describePanama() {
        return PanamaVectorKernels.lanes() * 32 + "-bit, " + (PanamaVectorKernels.FMA ? "FMA" : "no FMA");
    }

    private static final class Holder {
        static final VectorKernels KERNELS = choose();
    }
}
