"""The cluster run's verdict on a 5xx (bench/cluster.py): only a request node b had in hand when it was
killed is excused; a 5xx from the other node, one sent after the kill or one b never accepted fails it."""

import datetime as dt

import pytest

from bench.cluster import gateway_log

KILLED = dt.datetime(2026, 12, 6, 0, 6, 37, 951000, tzinfo=dt.UTC).timestamp()
DEAD = KILLED + 0.007


def _line(received: str, server: str, active_ms: int, status: int, termination: str) -> str:
    return (
        f"127.0.0.1:40312 [06/Dec/2026:{received}] front web/{server} 0/0/0/-1/{active_ms} {status} 217 - - "
        f'{termination} 9/9/3/1/0 0/0 "POST /listings/1/apply/ HTTP/1.1"\n'
    )


@pytest.fixture
def verdicts(tmp_path):
    def judge(*lines: str) -> list[bool]:
        log = tmp_path / "haproxy.log"
        log.write_text("".join(lines) + _line("00:06:30.000", "a", 12, 200, "----"))
        return [row.in_flight_on("b", KILLED, DEAD, slack=1.0) for row in gateway_log(log)]

    return judge


def test_a_slow_submit_read_seconds_before_the_kill_is_in_flight(verdicts):
    # HAProxy read it 2.4 s before the kill; node b was still working on it when it died.
    assert verdicts(_line("00:06:35.575", "b", 2398, 502, "SH--")) == [True]


def test_a_request_read_at_the_kill_is_in_flight(verdicts):
    assert verdicts(_line("00:06:37.960", "b", 3, 502, "SH--")) == [True]


def test_log_dates_are_utc_whatever_this_process_local_zone(verdicts):
    # The same moment read as New York time would be five hours off and fail every 5xx.
    assert verdicts(_line("00:06:37.575", "b", 398, 502, "SH--")) == [True]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(_line("00:06:37.575", "a", 398, 502, "SH--"), id="from the node nobody killed"),
        pytest.param(_line("00:06:41.000", "b", 5, 502, "SH--"), id="read seconds after the kill"),
        pytest.param(_line("00:06:30.000", "b", 2000, 502, "SH--"), id="over before the kill"),
        pytest.param(_line("00:06:37.960", "b", 3, 503, "SC--"), id="never accepted by the node"),
        pytest.param(_line("00:06:37.960", "b", 30, 500, "----"), id="an answer from the application"),
    ],
)
def test_other_5xx_fail_the_run(verdicts, line):
    assert verdicts(line) == [False]


def test_only_5xx_are_read(verdicts, tmp_path):
    assert verdicts() == []
