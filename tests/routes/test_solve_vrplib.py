"""`manage.py solve_vrplib`: JSON routes numbered as in the .sol files, cost under the BKS conventions."""

import json
import math
from pathlib import Path

import pytest
from django.core.management import call_command

# The few public instances these tests read live in the repository (tests/data/vrplib, with their .sol
# files), so a plain clone runs them; the full benchmark set stays outside, for bench/ only.
DATA = Path(__file__).resolve().parents[1] / "data" / "vrplib"
A_N32 = DATA / "A-n32-k5.vrp"


def _read_cvrp(path):
    """A small reader of our own (TSPLIB sections), so the check does not trust the code under test."""
    section, coords, demand, capacity = None, {}, {}, None
    for line in path.read_text().splitlines():
        words = line.replace(":", " ").split()
        if not words:
            continue
        if words[0] == "CAPACITY":
            capacity = int(words[1])
        elif words[0] in ("NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "EOF"):
            section = words[0]
        elif section == "NODE_COORD_SECTION":
            coords[int(words[0]) - 1] = (float(words[1]), float(words[2]))
        elif section == "DEMAND_SECTION":
            demand[int(words[0]) - 1] = int(words[1])
    return coords, demand, capacity


def test_a_n32_k5_prints_routes_numbered_like_the_sol_file_with_their_true_cost(tmp_path, capsys):
    out = tmp_path / "plan.json"

    call_command("solve_vrplib", str(A_N32), "--seconds", "1", "--seed", "3", "--out", str(out), "--workers", "1")

    printed = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == printed
    assert printed["instance"] == "A-n32-k5"
    coords, demand, capacity = _read_cvrp(A_N32)
    assert sorted(c for route in printed["routes"] for c in route) == list(range(1, 32))
    cost = 0
    for route in printed["routes"]:
        assert sum(demand[c] for c in route) <= capacity
        path = [0, *route, 0]
        cost += sum(round(math.dist(coords[a], coords[b])) for a, b in zip(path, path[1:], strict=False))
    assert printed["cost"] == cost
    assert cost <= 784 * 1.02  # the proven optimum is 784; PyVRP reaches it in about a second


def test_solomon_costs_are_in_instance_units_with_one_decimal(capsys):
    call_command("solve_vrplib", str(DATA / "C101.txt"), "--seconds", "1")

    printed = json.loads(capsys.readouterr().out)
    assert sorted(c for route in printed["routes"] for c in route) == list(range(1, 101))
    assert len(printed["routes"]) <= 25
    assert printed["cost"] == round(printed["cost"], 1)
    assert printed["cost"] >= 827.3


def test_two_searches_at_once_return_one_valid_plan(capsys):
    call_command("solve_vrplib", str(A_N32), "--seconds", "1", "--workers", "2")

    printed = json.loads(capsys.readouterr().out)
    coords, demand, capacity = _read_cvrp(A_N32)
    assert sorted(c for route in printed["routes"] for c in route) == list(range(1, 32))
    assert all(sum(demand[c] for c in route) <= capacity for route in printed["routes"])
    assert printed["cost"] <= 784 * 1.02


def test_the_portfolio_prefers_serving_every_stop_then_the_shorter_plan():
    from routes.solver import Solution, Unassigned
    from routes.solver.portfolio import rank

    short_but_incomplete = Solution(routes=[], unassigned=[Unassigned(0, "no_room")], distance=10, duration=0)
    complete = Solution(routes=[], unassigned=[], distance=50, duration=0)
    shorter_complete = Solution(routes=[], unassigned=[], distance=40, duration=0)
    assert min([short_but_incomplete, complete, shorter_complete], key=rank) is shorter_complete


def test_cooperating_searches_post_their_best_plan_and_get_back_only_a_better_one():
    import multiprocessing

    from routes.solver.portfolio import SharedBoard

    board = SharedBoard(multiprocessing.get_context("fork"), clients=5)
    first = [(0, [0, 1]), (1, [2, 3, 4])]

    assert board.exchange(first, 100) is None  # the first plan is posted
    assert board.exchange([(0, [4, 3, 2, 1, 0])], 120) == first  # a worse search gets the better plan back
    assert board.exchange(first, 100) is None  # as good: nothing to take
    assert board.exchange([(0, [1, 0]), (0, [2, 3, 4])], 90) is None  # a better plan replaces it
    assert board.exchange(first, 100) == [(0, [1, 0]), (0, [2, 3, 4])]


@pytest.mark.parametrize("name", ["A-n32-k5.vrp", "C101.txt"])
def test_our_instance_reader_reads_what_the_vrplib_package_reads(name):
    import numpy as np
    import vrplib

    from routes.instances import read

    path = DATA / name
    ours = read(path)
    theirs = vrplib.read_instance(str(path), instance_format="solomon" if name.endswith(".txt") else "vrplib",
                                  compute_edge_weights=False)

    assert np.array_equal(ours["node_coord"], theirs["node_coord"])
    assert np.array_equal(ours["demand"], theirs["demand"]) and ours["capacity"] == theirs["capacity"]
    assert ("time_window" in ours) == ("time_window" in theirs)
    if "time_window" in theirs:
        assert np.array_equal(ours["time_window"], theirs["time_window"])
        assert np.array_equal(ours["service_time"], np.broadcast_to(theirs["service_time"], ours["service_time"].shape))
        assert ours["vehicles"] == theirs["vehicles"]


def test_a_file_that_is_not_an_instance_is_refused_with_a_sentence(tmp_path, capsys):
    from django.core.management.base import CommandError

    bad = tmp_path / "notes.vrp"
    bad.write_text("NAME : nothing here\n")

    with pytest.raises(CommandError, match="cannot read"):
        call_command("solve_vrplib", str(bad), "--seconds", "1")
