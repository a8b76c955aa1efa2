package io.gridvec.shard.record;

/** A record as read from its collection: id, vector, payload JSON (or null) and version. Immutable. */
public record StoredRecord(String id, float[] vector, String payload, long version) {}
