package dev.bridge.core;

/** What a change did to its object; the names are PostgreSQL's {@code TG_OP}. */
public enum Op {
    INSERT,
    UPDATE,
    DELETE;

    /**
     * @throws IllegalArgumentException naming the accepted values if {@code name} is none of them
     */
    public static Op parse(String name) {
        for (Op op : values()) {
            if (op.name().equals(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException("op must be INSERT, UPDATE or DELETE, got '" + name + "'");
    }
}
