"""core.hooks: the one way an upstream app hears from a downstream app it may not import."""

import pytest

from core.hooks import Hook


def test_keyed_hook_calls_only_the_functions_of_its_key_in_order_and_registering_twice_is_once():
    hook = Hook("test.keyed", keyed=True)
    calls = []

    def first(**kw):
        calls.append(("first", kw))
        return 1

    def second(**kw):
        calls.append(("second", kw))
        return 2

    hook.register(first, key="claim")
    hook.register(first, key="claim")  # ready() may run twice
    hook.register(second, key="claim")
    hook.register(lambda **kw: calls.append(("other", kw)), key="deposit")

    assert hook.send("claim", amount=5) == [1, 2]
    assert calls == [("first", {"amount": 5}), ("second", {"amount": 5})]

    hook.unregister(first, key="claim")
    assert hook.send("claim", amount=6) == [2]


def test_single_hook_answers_with_its_last_function_and_replaced_restores_the_wiring():
    hook = Hook("test.single", single=True, keys={"vans", "drivers"})
    assert hook.ask("vans", "partner", default="no answer") == "no answer"
    hook.register(lambda partner: f"{partner}: yes", key="vans")
    with hook.replaced(lambda partner: False, key="vans"):
        assert hook.ask("vans", "p") is False
    assert hook.ask("vans", "p") == "p: yes"
    with pytest.raises(KeyError):
        hook.register(lambda partner: True, key="unknown")


def test_unkeyed_hook_refuses_a_key_and_keyed_refuses_none():
    plain, keyed = Hook("test.plain"), Hook("test.keyed2", keyed=True)
    with pytest.raises(TypeError):
        plain.register(print, key="x")
    with pytest.raises(TypeError):
        keyed.register(print)


def test_the_project_wires_every_checklist_source_and_money_listener():
    from core.events import event_committed, events_committed
    from onboarding.checklist import ITEM_KEYS, checklist_sources
    from payments.hooks import payment_changed, transfer_changed

    answered = {key for key in ITEM_KEYS if checklist_sources.functions(key)}
    assert answered == {"insurance_bound", "vans_ordered", "drivers_added", "first_route"}
    assert transfer_changed.functions("claim") and transfer_changed.functions("hub_statement")
    assert payment_changed.functions("order_deposit")
    assert [fn.__name__ for fn in event_committed.functions()] == ["enqueue_event_dispatch"]
    assert [fn.__name__ for fn in events_committed.functions()] == ["enqueue_events_dispatch"]
