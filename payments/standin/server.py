"""Running the stand-in: in a background thread (tests, `StandinServer`) or as a process (`serve`)."""

import asyncio
import logging
import socket
import threading
from pathlib import Path

from aiohttp import web

from payments.standin.app import build_app
from payments.standin.resources import ls, persistence, state

logger = logging.getLogger(__name__)


def _register_webhook(url: str, secret: str) -> None:
    from localstripe.webhooks import register_webhook

    register_webhook("portal", url, secret, None)


class StandinServer:
    """The stand-in on a loopback port (0: a free one) in a daemon thread with its own event loop."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.loop = asyncio.new_event_loop()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stripe-standin", daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(build_app(), access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.SockSite(self.runner, self.sock).start())
        self._ready.set()
        self.loop.run_forever()

    def start(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the Stripe stand-in did not start")

    def stop(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def run(self, fn, *args, **kwargs):
        """Run `fn` on the server's loop (events are scheduled with asyncio)."""

        async def call():
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(10)

    def reset(self):
        def clear():
            from localstripe.webhooks import _webhooks

            ls.store.clear()
            state.reset()
            _webhooks.clear()

        self.run(clear)

    def deliver_webhooks_to(self, url: str, secret: str) -> None:
        """Send every event, signed with `secret`, to `url` (as a Stripe webhook endpoint would get them)."""
        self.run(_register_webhook, url, secret)


def serve(*, port: int, webhook_url: str, webhook_secret: str, store_path: Path | None = None,
          host: str = "127.0.0.1") -> None:
    """Serve in the foreground until interrupted (`manage.py stripe_standin`, started by `make run`)."""
    if store_path is not None:
        store_path.parent.mkdir(parents=True, exist_ok=True)
        persistence.path = store_path
        persistence.load()
    _register_webhook(webhook_url, webhook_secret)
    logger.info("Stripe stand-in on http://%s:%s, events to %s", host, port, webhook_url)
    web.run_app(build_app(), host=host, port=port, access_log=None, print=None)
