package dev.bridge.sink.redis;

import dev.bridge.core.port.Ack;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns a failed command into an acknowledgement. Only replies that no retry can change fail a
 * change for good: the key holds another type (WRONGTYPE) or the user lacks the right (NOPERM).
 * Everything else (lost connections, timeouts, LOADING, OOM, cluster moves) is worth a retry.
 */
final class Replies {

    private final String where;
    private final Duration timeout;

    Replies(String where, Duration timeout) {
        this.where = where;
        this.timeout = timeout;
    }

    Ack ackFor(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RedisSink.SinkStopped) {
            return Ack.retry(e.getMessage());
        }
        if (e instanceof RedisCommandTimeoutException) {
            return Ack.retry("no reply from redis at " + where + " within " + timeout);
        }
        if (e instanceof RedisCommandExecutionException) {
            String reply = String.valueOf(e.getMessage());
            return isPermanent(reply)
                    ? Ack.failed("redis at " + where + " refused the change: " + reply)
                    : Ack.retry("redis at " + where + " answered: " + reply);
        }
        return Ack.retry("redis at " + where + " is unavailable: " + rootMessage(e));
    }

    /** Scripts wrap the reply of the command that failed in their own error, so look inside too. */
    static boolean isPermanent(String reply) {
        String upper = reply.toUpperCase(Locale.ROOT);
        return upper.contains("WRONGTYPE") || upper.contains("NOPERM") || upper.contains("NO PERMISSION");
    }

    /** Whether the server did not have the script cached (EVALSHA's NOSCRIPT reply). */
    static boolean isNoScript(Throwable error) {
        Throwable e = unwrap(error);
        return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("NOSCRIPT");
    }

    static String rootMessage(Throwable error) {
        Throwable e = error;
        String message = e.getMessage();
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
            if (e.getMessage() != null) {
                message = e.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
