from fsw.executive.cycles import CycleStats


def test_longest_is_per_report_period():
    stats = CycleStats(10)
    for duration in (0.001, 0.005, 0.002):
        stats.record(duration)
    assert stats.take_longest() == 0.005
    assert stats.take_longest() == 0.0
    assert stats.count == 3


def test_percentiles_over_recent_cycles():
    stats = CycleStats(10)
    for i in range(1, 101):
        stats.record(i / 1000)
    summary = stats.summary()
    assert summary["cycles"] == 100
    assert summary["p50_ms"] == 51.0
    assert summary["p99_ms"] == 100.0
    assert summary["max_ms"] == 100.0
