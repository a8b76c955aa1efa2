package io.gridvec.index.vector;

/** The one definition of cosine similarity from its three sums, shared by both kernel implementations. */
final class Cosine {

    private Cosine() {}

    static float of(float dot, float squaredNormA, float squaredNormB) {
        if (squaredNormA == 0f || squaredNormB == 0f) {
            return 0f;
        }
        return (float) (dot / Math.sqrt((double) squaredNormA * (double) squaredNormB));
    }
}
