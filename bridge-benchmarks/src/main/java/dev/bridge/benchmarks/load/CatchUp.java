package dev.bridge.benchmarks.load;

/**
 * How a sink caught up once its endpoint came back at {@code returnAt}: its backlog is every change
 * sent before then that had not arrived by then.
 *
 * @param backlog the backlog, and when its first and last change arrived
 * @param startSeconds from the return to the first backlog change's arrival; NaN if none arrived
 * @param deliveredSeconds from the return to the last backlog change's arrival; NaN if none arrived
 * @param backlogRate backlog changes per second from its first arrival to its last
 * @param overallRate every change that first arrived in that time (new ones too), per second
 */
record CatchUp(Timeline.Drain backlog, double startSeconds, double deliveredSeconds, double backlogRate, double overallRate) {

    static CatchUp of(Timeline timeline, long returnAt) {
        Timeline.Drain backlog = timeline.drain(returnAt, returnAt);
        if (backlog.firstArrival() == 0) {
            return new CatchUp(backlog, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double span = (backlog.lastArrival() - backlog.firstArrival()) / 1e9;
        double overall = span > 0 ? timeline.arrivedBetween(backlog.firstArrival(), backlog.lastArrival()) / span : Double.NaN;
        return new CatchUp(backlog, (backlog.firstArrival() - returnAt) / 1e9, (backlog.lastArrival() - returnAt) / 1e9,
                backlog.rate(), overall);
    }
}
