"""The objects the stand-in keeps beside localstripe's: Connect accounts and transfers, and its own state."""

import pickle
import time
import warnings
from pathlib import Path

with warnings.catch_warnings():  # localstripe registers plain-function handlers at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources as ls
    from localstripe.errors import UserError
    from localstripe.webhooks import schedule_webhook


class _Persistence:
    """localstripe pickles its whole store to /tmp on every write, which parallel processes would share.
    The stand-in keeps it in memory, or in the file `make run` names (so accounts outlive a restart)."""

    path: Path | None = None

    def load(self) -> None:
        if self.path and self.path.exists():
            with self.path.open("rb") as f:
                saved = pickle.load(f)  # noqa: S301 -- our own file, written by dump() below
            ls.store.clear()
            dict.update(ls.store, saved)

    def dump(self) -> None:
        if self.path:
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as f:
                pickle.dump(dict(ls.store), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.path)


persistence = _Persistence()
ls.Store.dump_to_disk = lambda self: persistence.dump()
ls.Store.try_load_from_disk = lambda self: persistence.load()


class Account(ls.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type="express", country="US", email=None, capabilities=None, metadata=None,
                 business_type=None, **kwargs):
        if kwargs:
            raise UserError(400, "Received unknown parameter: " + ", ".join(kwargs))
        if type not in ("express", "custom", "standard"):
            raise UserError(400, "Invalid type", {"param": "type"})
        super().__init__()
        self.type = type
        self.country = country
        self.email = email
        self.business_type = business_type
        self.default_currency = "usd"
        self.metadata = metadata or {}
        self.capabilities = {name: "inactive" for name in (capabilities or {"transfers": {}})}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = {"currently_due": ["external_account", "tos_acceptance.date"], "disabled_reason":
                             "requirements.past_due"}

    def _complete_onboarding(self):
        self.details_submitted = True
        self.charges_enabled = True
        self.payouts_enabled = True
        self.capabilities = {name: "active" for name in self.capabilities}
        self.requirements = {"currently_due": [], "disabled_reason": None}
        persistence.dump()
        schedule_webhook(ls.Event("account.updated", self))


class Transfer(ls.StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount=None, currency=None, destination=None, description=None, metadata=None,
                 transfer_group=None, source_transaction=None, **kwargs):
        if kwargs:
            raise UserError(400, "Received unknown parameter: " + ", ".join(kwargs))
        amount = ls.try_convert_to_int(amount)
        if type(amount) is not int or amount <= 0:
            raise UserError(400, "Invalid positive integer", {"param": "amount"})
        if not currency:
            raise UserError(400, "Missing required param: currency.", {"param": "currency"})
        account = ls.store.get("account:" + str(destination))
        if account is None:
            raise UserError(400, f"No such destination: '{destination}'",
                            {"code": "resource_missing", "param": "destination"})
        if account.capabilities.get("transfers") != "active":
            raise UserError(400, "Your destination account needs to have at least one of the following "
                            "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                            {"code": "insufficient_capabilities_for_transfer", "param": "destination"})
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.description = description
        self.metadata = metadata or {}
        self.transfer_group = transfer_group
        self.source_transaction = source_transaction
        self.amount_reversed = 0
        self.reversed = False
        self.balance_transaction = "txn_" + ls.random_id(14)
        self.destination_payment = "py_" + ls.random_id(14)
        self.status = "paid"  # settlement, as legacy transfers reported it; tests change it
        self.failure_code = None
        self.failure_message = None
        self._reversals = []
        schedule_webhook(ls.Event("transfer.created", self))

    @property
    def reversals(self):
        return {"object": "list", "data": list(self._reversals), "has_more": False,
                "total_count": len(self._reversals), "url": f"/v1/transfers/{self.id}/reversals"}

    def _reverse(self, amount=None):
        amount = ls.try_convert_to_int(amount) if amount is not None else self.amount - self.amount_reversed
        if type(amount) is not int or amount <= 0 or amount > self.amount - self.amount_reversed:
            raise UserError(400, "Invalid amount", {"param": "amount"})
        reversal = {"id": "trr_" + ls.random_id(14), "object": "transfer_reversal", "amount": amount,
                    "currency": self.currency, "transfer": self.id, "created": int(time.time()), "metadata": {}}
        self._reversals.append(reversal)
        self.amount_reversed += amount
        self.reversed = self.amount_reversed >= self.amount
        persistence.dump()
        schedule_webhook(ls.Event("transfer.reversed", self))
        return reversal


class State:
    """What the extension keeps beside localstripe's store (reset per test)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.idempotency = {}  # key -> (fingerprint, status, body) | "in-progress"
        self.posts = {}  # path -> executed POSTs
        self.account_links = {}  # token -> link (with its account, return and refresh URLs)
        self.transfer_failures = []  # queued (message, code)


state = State()


def lookup(obj_id: str):
    for key, obj in ls.store.items():
        if key.split(":", 1)[-1] == obj_id:
            return obj
    raise KeyError(f"the Stripe stand-in holds no object {obj_id!r}")
