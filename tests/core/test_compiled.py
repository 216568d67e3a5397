"""core.compiled: a hot query compiled once gives the instances the ORM gives, built the way the ORM builds them,
and a query it cannot bind safely is refused when it is first compiled."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import signals

from accounts.models import User
from core.compiled import PROBE_ID, _plain, compiled_query, model_instance, rows_as_instances, select_sql
from hubs.models import Hub, Parcel
from hubs.selectors import hub_for_owner
from tests.factories import UserFactory
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_compiled_hub_lookup_finds_the_owners_latest_hub_as_the_orm_does():
    first = HubFactory()
    latest = HubFactory(owner=first.owner)
    HubFactory()  # someone else's

    found = hub_for_owner(user=first.owner)

    expected = Hub.objects.filter(owner=first.owner).order_by("-created_at", "-id").first()
    assert found == expected == latest
    assert _fields(found) == _fields(expected)
    assert hub_for_owner(user=UserFactory()) is None


def test_an_instance_built_from_a_row_is_the_one_the_orm_builds_and_saves_like_it():
    parcel = ParcelFactory(delivered_to="Front desk")
    row = Parcel.objects.filter(pk=parcel.pk).values_list(*[f.attname for f in Parcel._meta.concrete_fields])[0]

    built = model_instance(Parcel, row)
    loaded = Parcel.objects.get(pk=parcel.pk)

    assert _plain(Parcel)  # the fast path is the one under test
    assert _fields(built) == _fields(loaded)
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.hub == parcel.hub  # the foreign key resolves
    assert built.proof_photo.name == loaded.proof_photo.name  # the file field wraps its name
    built.delivered_to = "Neighbour"
    built.save(update_fields=["delivered_to"])
    assert Parcel.objects.get(pk=parcel.pk).delivered_to == "Neighbour"


def test_hand_written_sql_of_the_models_columns_builds_the_same_instances():
    parcels = [ParcelFactory(), ParcelFactory()]

    built = rows_as_instances(Parcel, select_sql(Parcel, '"id" IN (%s, %s) ORDER BY "id"'), [p.pk for p in parcels])

    assert [_fields(b) for b in built] == [_fields(Parcel.objects.get(pk=p.pk)) for p in parcels]


def test_a_model_with_init_receivers_is_built_by_the_orm():
    def receiver(sender, instance, **kwargs):
        pass

    signals.post_init.connect(receiver, sender=User)
    try:
        assert not _plain.__wrapped__(User)
    finally:
        signals.post_init.disconnect(receiver, sender=User)
    assert _plain.__wrapped__(User)


def test_a_query_that_would_not_return_whole_instances_or_binds_other_values_is_refused():
    joined = compiled_query(lambda owner_id: Hub.objects.select_related("owner").filter(owner_id=owner_id), PROBE_ID)
    fixed = compiled_query(lambda owner_id: Hub.objects.filter(owner_id=owner_id, capacity=30), PROBE_ID)

    with pytest.raises(ImproperlyConfigured):
        joined(1)
    with pytest.raises(ImproperlyConfigured):
        fixed(1)
