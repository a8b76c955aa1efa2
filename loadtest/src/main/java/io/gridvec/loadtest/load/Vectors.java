package io.gridvec.loadtest.load;

/** JSON text for vectors and records, written by hand because the generator writes many and Jackson boxes floats. */
final class Vectors {

    private Vectors() {}

    /** Appends {@code vector} as a JSON array of numbers. */
    static StringBuilder appendVector(StringBuilder json, float[] vector) {
        json.append('[');
        for (int d = 0; d < vector.length; d++) {
            if (d > 0) {
                json.append(',');
            }
            json.append(vector[d]);
        }
        return json.append(']');
    }

    /** Appends {@code {"id": id, "vector": [...]}}; the id must need no JSON escaping. */
    static StringBuilder appendRecord(StringBuilder json, String id, float[] vector) {
        return appendVector(json.append("{\"id\":\"").append(id).append("\",\"vector\":"), vector).append('}');
    }
}
