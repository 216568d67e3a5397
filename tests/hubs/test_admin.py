import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["eligiblestate", "targetcity", "hubsettings", "hub", "parcel",
                                   "statement"])
def test_program_admin_edits_hub_program_data_in_the_django_admin(client, admin_user, password, model):
    client.login(email=admin_user.email, password=password)
    assert client.get(f"/admin/hubs/{model}/").status_code == 200


def test_admin_adds_an_extra_closed_day(client, admin_user, password):
    from core.models import CalendarDay

    client.login(email=admin_user.email, password=password)
    response = client.post("/admin/core/calendarday/add/", {"date": "2026-12-24", "kind": "closed",
                                                             "note": "Christmas Eve"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2026-12-24").kind == "closed"
