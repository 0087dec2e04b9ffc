package dev.bridge.postgres;

/**
 * The part of the change log one subscription reads: all of it, or the changes of one partition
 * ({@link dev.bridge.core.Partitioning}), chosen in the query so that a partition's reader neither
 * fetches nor parses the others' changes.
 */
record LogSlice(int partition, int partitions) {

    static final LogSlice ALL = new LogSlice(0, 1);

    /**
     * The bucket and id as the capture functions' {@code bridge_change_json} writes them, at the
     * start of a change's JSON. A row that does not start so (not written by a capture function)
     * falls in partition 0, whose reader skips it as it skips any row it does not trust. Groups 1
     * and 3 are the two strings; no {@code ?} in it, which pgjdbc would take for a parameter.
     */
    private static final String KEY_PATTERN = "^\\{\"op\":\"[A-Z]+\",\"bucket\":(\"([^\"\\\\]|\\\\.)*\"),\"id\":(\"([^\"\\\\]|\\\\.)*\"),\"version\":";

    LogSlice {
        if (partitions < 1 || partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("a partition is from 0 to partitions - 1, got " + partition + " of " + partitions);
        }
    }

    /** SQL: whether the change whose JSON is in {@code column} belongs to this slice. */
    String sql(String column) {
        if (partitions == 1) {
            return "true";
        }
        return partitionOf(column) + " = " + partition;
    }

    /** SQL: the partition, of this slice's count, of the change whose JSON is in {@code column}. */
    String partitionOf(String column) {
        return partitionOf(column, Integer.toString(partitions));
    }

    /** SQL: the partition, of the count {@code partitions} (an SQL expression), of the change whose JSON is in {@code column}. */
    static String partitionOf(String column, String partitions) {
        return "coalesce((SELECT (((get_byte(h, 0)::bigint << 24) | (get_byte(h, 1) << 16) | (get_byte(h, 2) << 8) | get_byte(h, 3))"
                + " % (" + partitions + "))::int FROM (SELECT sha256(convert_to(m[1] || ',' || m[3], 'UTF8')) AS h"
                + " FROM regexp_match(" + column + ", E'" + KEY_PATTERN.replace("\\", "\\\\").replace("'", "''") + "') AS m) x), 0)";
    }
}
