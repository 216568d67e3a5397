"""A delivery connects to the address the SSRF guard checked, never to a later DNS answer (rebinding),
while the Host header and the TLS certificate check keep the URL's host name.

DNS is the one thing here not run for real: there is no resolver to point at, so the tests answer
`socket.getaddrinfo` for their made-up host names (every other name resolves as usual)."""

import socket
import ssl

import pytest
import trustme

from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.urlguard import webhook_target

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch):
    """`dns["name"] = [answer, answer, ...]`: successive lookups of that name get successive answers
    (the last one repeats); each lookup is counted in `dns.calls`."""

    class Zone(dict):
        calls: dict

    zone = Zone()
    zone.calls = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in zone:
            n = zone.calls.get(host, 0)
            zone.calls[host] = n + 1
            address = zone[host][min(n, len(zone[host]) - 1)]
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return zone


def _port(url):
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def test_a_dns_answer_that_changes_after_the_check_does_not_redirect_the_delivery(
        subscribe, receiver, record_event, dns, django_capture_on_commit_callbacks):
    # Saving the subscription and checking before the delivery see the receiver; any later lookup
    # would be sent to a documentation-only public address where nothing answers.
    dns["hooks.rebind.test"] = ["127.0.0.1", "127.0.0.1", "203.0.113.9"]
    port = _port(receiver.url)
    subscribe(f"http://hooks.rebind.test:{port}/hooks/dsp?source=portal")

    with django_capture_on_commit_callbacks(execute=True):
        record_event()

    assert dns.calls["hooks.rebind.test"] == 2  # the save and the delivery's check; the POST looked nothing up
    [received] = receiver.requests
    assert received.headers["Host"] == f"hooks.rebind.test:{port}"
    assert received.path == "/hooks/dsp?source=portal"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_the_target_is_the_checked_address_ipv4_first():
    target = webhook_target("http://localhost:8123/a/b?c=1")
    assert (target.address, target.host, target.port, target.path) == ("127.0.0.1", "localhost", 8123, "/a/b?c=1")
    assert target.host_header == "localhost:8123"
    assert webhook_target("https://[::1]/x").host_header == "[::1]"


@pytest.fixture
def authority(settings, tmp_path):
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    settings.WEBHOOKS_CA_BUNDLE = str(bundle)
    return ca


def _tls(ca, name):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def test_https_to_the_pinned_address_checks_the_certificate_against_the_url_host(
        subscribe, tls_receiver, record_event, dns, authority, django_capture_on_commit_callbacks):
    receiver = tls_receiver(_tls(authority, "hooks.example.test"))
    dns["hooks.example.test"] = ["127.0.0.1"]
    subscribe(f"https://hooks.example.test:{_port(receiver.url)}/hooks/dsp")

    with django_capture_on_commit_callbacks(execute=True):
        record_event()

    [received] = receiver.requests
    assert received.headers["Host"] == f"hooks.example.test:{_port(receiver.url)}"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_certificate_for_another_name_fails_the_attempt_and_nothing_is_sent(
        subscribe, tls_receiver, record_event, dns, authority, django_capture_on_commit_callbacks):
    receiver = tls_receiver(_tls(authority, "someone-else.example.test"))
    dns["hooks.example.test"] = ["127.0.0.1"]
    subscribe(f"https://hooks.example.test:{_port(receiver.url)}/hooks/dsp")

    with django_capture_on_commit_callbacks(execute=True):
        record_event()

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "SSL" in attempt.error
