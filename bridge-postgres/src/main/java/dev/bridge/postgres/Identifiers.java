package dev.bridge.postgres;

import java.util.regex.Pattern;

/** Validates and quotes the SQL identifiers that come from configuration. */
final class Identifiers {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * SQL for the oid of a relation named by one parameter, a {@link #quoteTable quoted} name (or a quoted
     * schema and a plain name), or NULL.
     * A schema-qualified name is looked up in the catalogs, which every role may read, where
     * {@code to_regclass} would fail without USAGE on the schema.
     */
    static final String RELATION_OID = "(SELECT CASE WHEN q ~ '^\"[^\"]+\"\\.' THEN (SELECT r.oid FROM pg_catalog.pg_class r"
            + " JOIN pg_catalog.pg_namespace s ON s.oid = r.relnamespace WHERE s.nspname = substring(q FROM '^\"([^\"]+)\"\\.')"
            + " AND r.relname = substring(q FROM '^\"[^\"]+\"\\.\"?([^\"]+)\"?$')) ELSE to_regclass(q)::oid END"
            + " FROM (SELECT ?::text) AS name(q))";

    private Identifiers() {
    }

    /**
     * The identifier, double-quoted.
     *
     * @param what what it names, for the error message (e.g. "bridge.postgres.schema")
     * @throws InvalidIdentifierException if it is not a plain identifier
     */
    static String quote(String what, String name) {
        return "\"" + require(what, name) + "\"";
    }

    static boolean valid(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    static String require(String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new InvalidIdentifierException(what + " must be a letter or underscore followed by up to 62 letters,"
                    + " digits or underscores, got " + (name == null ? "nothing" : "'" + printable(name) + "'"));
        }
        return name;
    }

    /** A table name, optionally schema-qualified ({@code orders} or {@code sales.orders}), quoted part by part. */
    static String quoteTable(String what, String table) {
        if (table == null) {
            throw new InvalidIdentifierException(what + " must name a table, got nothing");
        }
        int dot = table.indexOf('.');
        if (dot < 0) {
            return quote(what, table);
        }
        return quote(what + " (schema part)", table.substring(0, dot)) + "." + quote(what + " (table part)", table.substring(dot + 1));
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
