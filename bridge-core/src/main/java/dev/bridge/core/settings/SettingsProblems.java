package dev.bridge.core.settings;

import dev.bridge.core.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Every problem of one sink block's settings, so that a provider reports all of them at once
 * rather than the first. Not thread-safe: one provider call.
 *
 * <pre>{@code
 * SettingsProblems problems = new SettingsProblems(settings);
 * Duration timeout = problems.check(() -> settings.duration("timeout").orElseThrow(...));
 * ...
 * problems.throwIfAny();
 * }</pre>
 */
public final class SettingsProblems {

    private final Settings settings;
    private final List<InvalidSettingException> found = new ArrayList<>();

    public SettingsProblems(Settings settings) {
        this.settings = settings;
    }

    /** The value read, or null after recording why it could not be read. */
    public <T> T check(Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidSettingException e) {
            found.add(e);
            return null;
        }
    }

    public void add(InvalidSettingException e) {
        found.add(e);
    }

    public boolean any() {
        return !found.isEmpty();
    }

    /**
     * @throws InvalidSettingException the one problem, or one naming the block that holds them all,
     *     each also attached as a suppressed exception (so a caller can list them one by one)
     */
    public void throwIfAny() {
        if (found.isEmpty()) {
            return;
        }
        if (found.size() == 1) {
            throw found.get(0);
        }
        InvalidSettingException all = new InvalidSettingException(settings.path(), "has " + found.size()
                + " invalid settings: " + found.stream().map(Throwable::getMessage).collect(Collectors.joining("; ")));
        found.forEach(all::addSuppressed);
        throw all;
    }
}
