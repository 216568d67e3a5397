import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label not in {"sessions", "admin"}}


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_row_counts(capsys):
    call_command("seed_demo")
    first = _row_counts()
    output = capsys.readouterr().out
    call_command("seed_demo")
    assert _row_counts() == first
    assert first["accounts.User"] >= 7
    assert "admin@demo.dspportal.example" in output
    assert "demo-pass-2026" in output


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo")
    assert client.login(email="admin@demo.dspportal.example", password="demo-pass-2026")
    assert client.get("/console/").status_code == 200
