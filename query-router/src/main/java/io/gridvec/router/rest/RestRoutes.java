package io.gridvec.router.rest;

import io.javalin.config.RoutesConfig;

/** A group of endpoints that registers itself on the {@link RestServer}'s routes before it starts. */
@FunctionalInterface
public interface RestRoutes {

    /** Registers this group's routes; handlers signal refused requests by throwing {@link ApiException}. */
    void register(RoutesConfig routes);
}
