"""Hooks: how an upstream app hears from, or asks, a downstream app it may not import.

Imports point one way (`dsp_portal/layers.py`). When an upstream app needs something only a downstream
app knows — payments telling onboarding a claim's transfer was paid, onboarding asking fleet whether a
partner's insurance is bound, core handing a committed event to integrations — the upstream app
declares a `Hook` in its `hooks.py` (or beside the code that calls it) and calls it; the downstream app
registers a function on it in its `AppConfig.ready()`. Where neither side may import the other (fleet
and procurement answering onboarding's checklist), the project wires them in `dsp_portal/apps.py`.

    # payments/hooks.py (upstream)
    transfer_changed = Hook("payments.transfer_changed", keyed=True)
    ...
    transfer_changed.send(transfer.purpose, transfer=transfer, previous_status=before)

    # hubs/apps.py (downstream)
    def ready(self):
        transfer_changed.register(on_statement_transfer, key="hub_statement")

A keyed hook dispatches on a key (a purpose, a checklist item); `single=True` keeps one function a key
(the last registered wins) and `ask` returns its answer. Registering is idempotent, since `ready()`
may run twice (tests, autoreload). Business logic stays in services: a hook function is a thin call.
"""

from collections.abc import Callable
from contextlib import contextmanager

_ANY = object()  # the key of an unkeyed hook


class Hook:
    def __init__(self, name: str, *, keyed: bool = False, single: bool = False, keys=None):
        self.name = name
        self.keyed = keyed or keys is not None
        self.single = single
        self.keys = frozenset(keys) if keys is not None else None
        self._table: dict[object, list[Callable]] = {}

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def _key(self, key):
        if not self.keyed:
            if key is not None:
                raise TypeError(f"{self.name} is not keyed")
            return _ANY
        if key is None:
            raise TypeError(f"{self.name} needs a key")
        if self.keys is not None and key not in self.keys:
            raise KeyError(f"{self.name}: unknown key {key!r}; known: {sorted(self.keys)}")
        return key

    def register(self, fn: Callable, *, key=None) -> Callable:
        """Add `fn` (for `key` on a keyed hook). Returns `fn`, so it also works as a decorator's body."""
        key = self._key(key)
        if self.single:
            self._table[key] = [fn]
        elif fn not in self._table.setdefault(key, []):
            self._table[key].append(fn)
        return fn

    def receiver(self, key=None):
        """Decorator form of `register`."""
        return lambda fn: self.register(fn, key=key)

    def unregister(self, fn: Callable, *, key=None) -> None:
        functions = self._table.get(self._key(key), [])
        if fn in functions:
            functions.remove(fn)

    def functions(self, key=None) -> list[Callable]:
        return list(self._table.get(self._key(key), ()))

    def send(self, key=None, /, **kwargs) -> list:
        """Call every function registered (for `key`) with `kwargs`; their results in order."""
        return [fn(**kwargs) for fn in self.functions(key)]

    def ask(self, key=None, /, *args, default=None, **kwargs):
        """The answer of the one function a single hook holds (for `key`), or `default` if none."""
        functions = self.functions(key)
        return functions[-1](*args, **kwargs) if functions else default

    @contextmanager
    def replaced(self, fn: Callable, *, key=None):
        """For tests: `fn` alone answers (for `key`) inside the block; the project's wiring comes back after."""
        key = self._key(key)
        saved = self._table.get(key)
        self._table[key] = [fn]
        try:
            yield fn
        finally:
            if saved is None:
                self._table.pop(key, None)
            else:
                self._table[key] = saved
