package io.gridvec.router.rest;

import io.javalin.security.RouteRole;

/**
 * What a route needs of the API key that calls it; every route declares exactly one when it registers. Roles grant
 * them: a reader {@link #READ}, a writer also {@link #WRITE}, an admin everything.
 */
public enum Permission implements RouteRole {
    /** Open to everyone, also with security on ({@code GET /health} only). */
    PUBLIC,
    /** Reads: searches, records, collection and cluster state, metrics, readiness. */
    READ,
    /** Writes to records: upsert, patch, delete. */
    WRITE,
    /** Administration: collections, API keys, snapshots, membership, stopping nodes. */
    ADMIN
}
