package dev.bridge.sink.redis;

import dev.bridge.core.Secrets;
import io.lettuce.core.RedisURI;

/** Renders Redis URIs for messages and logs with the password replaced by {@code ***}. */
final class SafeUri {

    private SafeUri() {
    }

    static String of(RedisURI uri) {
        StringBuilder out = new StringBuilder(uri.isSsl() ? "rediss://" : "redis://");
        boolean hasPassword = uri.getPassword() != null && uri.getPassword().length > 0;
        if (uri.getUsername() != null || hasPassword) {
            out.append(uri.getUsername() == null ? "" : uri.getUsername()).append(hasPassword ? ":***" : "").append('@');
        }
        String host = uri.getHost();
        out.append(host != null && host.contains(":") ? "[" + host + "]" : host).append(':').append(uri.getPort());
        return out.append('/').append(uri.getDatabase()).toString();
    }

    /** For text that may not parse: user info and query hidden. */
    static String masked(String uri) {
        return Secrets.maskUri(uri);
    }
}
