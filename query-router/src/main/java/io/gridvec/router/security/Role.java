package io.gridvec.router.security;

import io.gridvec.router.rest.Permission;
import java.util.Locale;

/** The role of an API key: what it may do, each role including the one before it. */
public enum Role {
    /** Searches and reads. */
    READER,
    /** Reads and writes records. */
    WRITER,
    /** Everything, administration included. */
    ADMIN;

    /** Returns whether this role grants {@code permission}. */
    public boolean allows(Permission permission) {
        return switch (permission) {
            case PUBLIC, READ -> true;
            case WRITE -> this != READER;
            case ADMIN -> this == ADMIN;
        };
    }

    /** Returns the role's name as the API spells it ({@code reader}, {@code writer}, {@code admin}). */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns the role the API names {@code name}, or null for no such role. */
    public static Role ofApiName(String name) {
        for (Role role : values()) {
            if (role.apiName().equals(name)) {
                return role;
            }
        }
        return null;
    }
}
