package dev.bridge.sink.redis;

import io.lettuce.core.RedisURI;
import java.util.regex.Pattern;

/** Renders Redis URIs for messages and logs with the password replaced by {@code ***}. */
final class SafeUri {

    private static final Pattern USER_INFO = Pattern.compile("^([a-z]+://)[^@/]*@");

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

    /** For text that may not parse: drops everything between the scheme and an {@code @}. */
    static String masked(String uri) {
        return USER_INFO.matcher(uri).replaceFirst("$1***@");
    }
}
