"""A local Stripe stand-in: localstripe, extended with what the portal uses and localstripe lacks.

It answers the real `stripe` client in Stripe's wire format and error envelopes, so `payments.gateway`
makes real HTTP calls with no keys. Used twice:

- `make run` starts it (`manage.py stripe_standin`) when no `STRIPE_SECRET_KEY` is set, on
  `STRIPE_STANDIN_PORT`; it delivers signed events to the portal's webhook endpoint like Stripe does,
  and serves the pages Stripe would host (Connect onboarding, paying a deposit by card);
- the test suite runs it in a thread (`tests/stripe_fake.py` is a thin fixture over `StandinServer`).

What it adds to localstripe:
- Connect: `POST/GET /v1/accounts`, `GET /v1/accounts/:id`, `POST /v1/account_links`;
- `POST/GET /v1/transfers`, `GET /v1/transfers/:id`, `POST /v1/transfers/:id/reversals`;
  transfers carry a settlement `status` ("paid" at once); a destination that has not finished
  onboarding is refused like Stripe does;
- `Idempotency-Key` replay on every POST (same key + same parameters -> the stored response; other
  parameters -> 400 `idempotency_error`; errors are not stored);
- events `transfer.created`, `account.updated` (beside localstripe's `payment_intent.*`), delivered
  signed to the registered webhook one second later, as Stripe does after the API call returns;
- hosted pages: `/connect/setup/<account>/<token>` (the Account Link: "complete onboarding", then back
  to the portal's return URL) and `/pay/<payment_intent>?return_url=...` (pay with a test card).
"""

from payments.standin.server import StandinServer, serve  # noqa: F401
