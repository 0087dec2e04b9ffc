package dev.bridge.core;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Which partition a key belongs to when a consumer's changes are split into several: CRC-32C of
 * the bucket's UTF-8 bytes, a zero byte and the id's UTF-8 bytes, as an unsigned number, modulo the
 * number of partitions. Every change of a key falls in the same partition, so one leader delivers
 * all of them, in order.
 */
public final class Partitioning {

    private Partitioning() {
    }

    /**
     * @throws IllegalArgumentException if {@code partitions} is below 1
     */
    public static int partition(Key key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (partitions == 1) {
            return 0;
        }
        CRC32C crc = new CRC32C();
        crc.update(key.bucket().getBytes(StandardCharsets.UTF_8));
        crc.update(0);
        crc.update(key.id().getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }
}
