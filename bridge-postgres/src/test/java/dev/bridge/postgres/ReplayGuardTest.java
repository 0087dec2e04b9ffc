package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplayGuardTest {

    private static ReplayGuard.Snapshot snapshot(String text) {
        return ReplayGuard.Snapshot.parse(text);
    }

    @Test
    void aSnapshotSeesWhatHadEndedWhenItWasTaken() {
        ReplayGuard.Snapshot s = snapshot("100:110:103,107");
        assertThat(s.sees(99)).isTrue();
        assertThat(s.sees(100)).isTrue();
        assertThat(s.sees(103)).as("in progress").isFalse();
        assertThat(s.sees(107)).isFalse();
        assertThat(s.sees(109)).isTrue();
        assertThat(s.sees(110)).as("not yet begun").isFalse();
        assertThatThrownBy(() -> snapshot("1:2:x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesOfTransactionsEndedBeforeListeningAreReplays() {
        ReplayGuard guard = new ReplayGuard();
        guard.listening(snapshot("100:105:102"));
        assertThat(guard.admit(99, 1)).contains("before the listener");
        assertThat(guard.admit(104, 2)).contains("before the listener");
        assertThat(guard.admit(102, 3)).as("in progress when it began listening").isNull();
        assertThat(guard.admit(105, 4)).isNull();
    }

    @Test
    void eachSeqPassesOncePerSessionAndIsForgottenWhenOldByTwoChecks() {
        ReplayGuard guard = new ReplayGuard();
        guard.listening(snapshot("100:100:"));
        assertThat(guard.admit(100, 7)).isNull();
        assertThat(guard.admit(100, 7)).contains("delivered already");
        assertThat(guard.admit(101, 8)).isNull();
        guard.checked(snapshot("101:101:"));
        guard.checked(snapshot("102:102:"));
        assertThat(guard.remembered()).as("the floor has not moved yet").isEqualTo(2);
        guard.checked(snapshot("103:103:"));
        assertThat(guard.remembered()).as("txid 100 is old by the snapshot two checks back").isEqualTo(1);
        assertThat(guard.admit(100, 7)).contains("before the listener");
        assertThat(guard.admit(101, 8)).contains("delivered already");
        guard.checked(snapshot("104:104:"));
        assertThat(guard.remembered()).isZero();
        assertThat(guard.admit(101, 8)).contains("before the listener");
    }

    @Test
    void aNewSessionKeepsNothingItsSnapshotMakesOld() {
        ReplayGuard guard = new ReplayGuard();
        guard.listening(snapshot("100:100:"));
        guard.admit(100, 1);
        guard.admit(120, 2);
        guard.listening(snapshot("110:110:"));
        assertThat(guard.remembered()).isEqualTo(1);
        assertThat(guard.admit(120, 2)).contains("delivered already");
    }

    @Test
    void aFirstFrameTellsWhetherItsMessageWouldBeRefusedWithoutAdmittingIt() {
        ReplayGuard guard = new ReplayGuard();
        guard.listening(snapshot("100:100:"));
        assertThat(guard.seen(99, "7")).as("old transaction").isTrue();
        assertThat(guard.seen(100, "7")).isFalse();
        assertThat(guard.seen(100, "7")).as("asking admits nothing").isFalse();
        guard.admit(100, 0x7);
        assertThat(guard.seen(100, "7")).as("delivered in this session").isTrue();
        assertThat(guard.seen(-1, "7")).as("no transaction id: left to the message's own check").isFalse();
        assertThat(guard.seen(101, "not hex")).isFalse();
    }
}
