"""`gateway bench` says which of issue 16's targets a run met (figures only: no time is asserted anywhere)."""

from __future__ import annotations

from gateway.bench.runner import COMPILED, FLOOR, NORMAL, targets_of


def _figures(*, x_floor: list[float], statements: int, rps: tuple[float, float], cpu: float | None) -> dict:
    return {
        "sync": [
            {"scale": scale, "paths": {COMPILED: {"x_floor": x}}} for scale, x in zip((5, 100), x_floor, strict=True)
        ],
        "lookup": {COMPILED: {"statements": statements}},
        "lookup_throughput": {
            "requests_per_second": {COMPILED: rps[0], NORMAL: 1.0, FLOOR: rps[1]},
            "cpu_ms_per_request": {COMPILED: cpu, NORMAL: None, FLOOR: None},
        },
    }


def _met(targets: list[dict]) -> dict[str, bool | None]:
    return {t["target"]: t["met"] for t in targets}


def test_each_target_is_met_at_its_limit_and_not_beyond_it():
    at_limits = targets_of(_figures(x_floor=[1.2, 1.0], statements=4, rps=(100, 100), cpu=3.0), growth=1.3)
    beyond = targets_of(_figures(x_floor=[1.21, 1.0], statements=5, rps=(99, 100), cpu=3.1), growth=1.31)

    assert set(_met(at_limits).values()) == {True}
    assert _met(beyond) == {
        "sync page, compiled, x floor (scale 5)": False,
        "sync page, compiled, x floor (scale 100)": True,
        "lookup, SQL statements": False,
        "lookup throughput, compiled x floor": False,
        "lookup, compiled, CPU ms per request": False,
        "sync page, compiled, largest scale over smallest": False,
    }


def test_a_figure_the_run_could_not_measure_is_neither_met_nor_missed():
    targets = targets_of(_figures(x_floor=[1.0, 1.0], statements=3, rps=(1, 1), cpu=None), growth=1.0)
    assert _met(targets)["lookup, compiled, CPU ms per request"] is None
