package dev.bridge.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of one object, as captured from PostgreSQL. Its JSON form is specified in
 * {@code docs/protocol.md} §1 and read and written by {@link ChangeJson}.
 *
 * @param op what happened
 * @param bucket the object's bucket (for a captured table, the table's name)
 * @param id the object's id in its bucket (for a captured table, the primary key as text)
 * @param version the object's version after the change; 0 when the source has none
 * @param ts when the change was made
 * @param val the state after the change; null for a delete or an SQL NULL (the JSON literal
 *     {@code null} is taken as null too, so a change reads back equal to itself)
 * @param old the state before the change; null for an insert or an SQL NULL (likewise)
 * @param seq the change's position in the change log, which is also its stable id; 0 when the
 *     change was not logged (at-most-once or legacy)
 */
public record Change(Op op, String bucket, String id, long version, Instant ts, Json val, Json old, long seq) {

    public Change {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(ts, "ts");
        new Key(bucket, id);
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, got " + seq);
        }
        val = val == null || val.isNull() ? null : val;
        old = old == null || old.isNull() ? null : old;
    }

    public Key key() {
        return new Key(bucket, id);
    }
}
