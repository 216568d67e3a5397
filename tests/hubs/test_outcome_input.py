"""The outcome batch's one-pass check gives exactly what OutcomeBatchSerializer gives, or defers to it.

Thousands of items built from awkward values (blank, padded, too long, wrong types, NUL, lone surrogates,
impossible dates, unknown keys) go through both; a mismatch in a value or in an error fails."""

import itertools
import random
import uuid

import pytest
from rest_framework.exceptions import ValidationError

from hubs.serializers import OutcomeBatchSerializer, _plain_items, outcome_items_validated

UUID = str(uuid.UUID(int=7))
VALUES = {
    "client_id": [UUID, UUID.upper(), "{" + UUID + "}", UUID.replace("-", ""), "nope", "", 7, None],
    "tracking_id": ["T1", " T1 ", "", "   ", "x" * 64, "x" * 65, " " + "x" * 64 + " ", "a\x00b", "a\ud800", 5, None],
    "outcome": ["received", "out_for_delivery", "delivered", "attempted", "returned", "lost", "", None,
                ["delivered"], "Delivered"],
    "service_date": ["2026-03-10", "2026-02-30", "20260310", "2026-3-10", "", None, 5, "2026-03-10T00:00:00"],
    "recipient_name": ["Ann", " Ann ", "", "x" * 200, "x" * 201, None, 3, "a\x00"],
    "reason": ["", "nobody_home", " nobody_home", "bogus", None, 1],
    "note": ["", "left at door", "x" * 500, "x" * 501, None],
    "occurred_at": [None, "2026-03-10T10:00:00Z", "yesterday"],
    "extra": ["ignored"],
}
ABSENT = object()
# How many of each field's values (from the front) are plainly valid; the rest are awkward.
GOOD = {"client_id": 4, "tracking_id": 5, "outcome": 5, "service_date": 3, "recipient_name": 4, "reason": 2,
        "note": 3, "occurred_at": 1, "extra": 0}
REQUIRED = ("client_id", "tracking_id", "outcome")


def _items(count, seed):
    """Mostly plain items with one or two awkward values sprinkled in, and some awkward throughout."""
    rng = random.Random(seed)
    for _ in range(count):
        item = {}
        for name, values in VALUES.items():
            if rng.random() < 0.8:
                choices = values[:GOOD[name]] + ([] if name in REQUIRED else [ABSENT])
            else:
                choices = [*values, ABSENT]
            value = rng.choice(choices)
            if value is not ABSENT:
                item[name] = value
        yield item


def _through_serializer(data):
    serializer = OutcomeBatchSerializer(data=data)
    if serializer.is_valid():
        return "valid", [dict(item) for item in serializer.validated_data["items"]]
    return "invalid", serializer.errors


def _through_ours(data):
    try:
        return "valid", [dict(item) for item in outcome_items_validated(data)]
    except ValidationError as exc:
        return "invalid", exc.detail


@pytest.mark.parametrize("seed", range(4))
def test_single_items_agree_with_the_serializer(seed):
    fast = 0
    for item in _items(600, seed):
        data = {"items": [item]}
        assert _through_ours(data) == _through_serializer(data), item
        fast += _plain_items(data) is not None
    assert fast >= 20  # the one-pass check itself was compared, not only the fallback


def test_batches_agree_and_plain_batches_take_the_fast_path():
    rng = random.Random(11)
    pool = list(_items(400, 99))
    for size in itertools.chain([1, 2, 30], (rng.randint(1, 40) for _ in range(150))):
        data = {"items": rng.sample(pool, min(size, len(pool)))}
        assert _through_ours(data) == _through_serializer(data)
    phone = {"items": [{"client_id": str(uuid.uuid4()), "tracking_id": f"T{i}", "outcome": "delivered",
                        "service_date": "2026-03-10", "recipient_name": "Front desk"} for i in range(30)]}
    assert _plain_items(phone) is not None  # what phones send is checked in one pass
    assert _through_ours(phone) == _through_serializer(phone)


@pytest.mark.parametrize("data", [None, [], "items", {}, {"items": []}, {"items": "x"}, {"items": [1]},
                                  {"items": [{}] * 1001}])
def test_malformed_batches_agree(data):
    assert _through_ours(data) == _through_serializer(data)
