from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import ValidationFailed
from routes.models import Package
from routes.services import manifest_check, manifest_import
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db


def _row(**over):
    row = {"tracking_id": "TBA1", "recipient_name": "Ann", "address_line1": "1 Pike St", "city": "Seattle",
           "state": "WA", "postal_code": "98101", "latitude": "47.6", "longitude": "-122.33", "size": "M",
           "weight_kg": "1.5", "window_start": "", "window_end": "", "signature_required": "no"}
    return {**row, **over}


def test_a_manifest_with_bad_rows_writes_nothing_and_names_each_bad_row(station, day, sample_rows):
    rows = sample_rows[:20] + [_row(tracking_id="", latitude="north"), _row(tracking_id="X2", window_start="10:00"),
                               _row(tracking_id="X3", size="XL", signature_required="maybe")]
    with pytest.raises(ValidationFailed) as exc:
        manifest_import(station=station, service_date=day, rows=rows)
    assert exc.value.code == "manifest_invalid"
    assert Package.objects.count() == 0
    check = manifest_check(station=station, service_date=day, rows=rows)
    bad = {(e.row, e.field) for e in check.errors}
    assert {(21, "tracking_id"), (21, "latitude"), (22, "window_end"), (23, "size"), (23, "signature_required")} <= bad


def test_a_tracking_id_twice_in_one_file_is_a_row_error(station, day):
    check = manifest_check(station=station, service_date=day, rows=[_row(), _row()])
    assert [(e.row, e.field) for e in check.errors] == [(2, "tracking_id")]


def test_a_good_import_is_bulk_and_a_resend_is_a_no_op(station, day, sample_rows, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        result = manifest_import(station=station, service_date=day, rows=sample_rows)
    assert len(result.packages) == 300 and Package.objects.count() == 300
    again = manifest_import(station=station, service_date=day, rows=sample_rows[:50] + [_row(tracking_id="NEW1")])
    assert again.duplicates == 50 and len(again.packages) == 1
    assert Package.objects.count() == 301


def test_packages_to_the_same_address_share_one_address_key(station, day):
    manifest_import(station=station, service_date=day, rows=[
        _row(tracking_id="A1", address_line1="12  Pine St."), _row(tracking_id="A2", address_line1="12 pine st"),
        _row(tracking_id="A3", address_line1="14 Pine St")])
    keys = dict(Package.objects.values_list("tracking_id", "address_key"))
    assert keys["A1"] == keys["A2"] != keys["A3"]


def test_the_same_tracking_id_at_another_station_that_day_is_refused(station, day):
    manifest_import(station=station, service_date=day, rows=[_row()])
    other = StationFactory()
    check = manifest_check(station=other, service_date=day, rows=[_row()])
    assert check.errors and check.errors[0].field == "tracking_id"


@pytest.mark.parametrize(("over", "field", "sentence"), [
    ({"latitude": "0", "longitude": "0"}, "latitude", "Atlantic Ocean"),
    ({"latitude": "42.3601", "longitude": "-71.0589"}, "latitude", "not in Washington"),
    ({"state": "Washington"}, "state", "two-letter code"),
])
def test_a_row_whose_point_cannot_be_its_address_is_refused(station, day, over, field, sentence):
    check = manifest_check(station=station, service_date=day, rows=[_row(**over)])
    assert [(e.field, sentence in e.message) for e in check.errors] == [(field, True)]


def test_a_station_must_sit_in_the_us_on_a_us_clock():
    station = StationFactory.build(latitude=0, longitude=0, time_zone="Europe/Paris")
    with pytest.raises(ValidationError) as caught:
        station.full_clean(exclude=["code"])
    assert set(caught.value.message_dict) == {"latitude", "time_zone"}


@pytest.mark.parametrize("vendor", ["postgresql", "portable"])
def test_copy_and_the_portable_insert_store_every_value_as_checked(station, day, monkeypatch, vendor):
    """PostgreSQL's COPY path and the ORM's bulk_create (the embedded default's) store the same packages, text with
    tabs, backslashes and new lines, empty and missing values, windows and decimals included."""
    from routes.services import manifests

    if vendor == "portable":
        monkeypatch.setattr(manifests, "connection", type("Sqlite", (), {"vendor": "sqlite"})())
    rows = [_row(tracking_id="T1", recipient_name="Tab\there \\ back\nslash", window_start="09:00",
                 window_end="11:30", signature_required="yes", weight_kg="", volume_l="12.5",
                 recipient_email="  o'neil+{tag}|~`#$%&*=?^@exämple.com ", recipient_phone="２０６．５５５．０１４２"),
            _row(tracking_id="T2", recipient_name="", city="", size="", postal_code=""),
            _row(tracking_id="T3", recipient_email="", recipient_phone="+1 (206) 555-0100")]
    expected = manifest_check(station=station, service_date=day, rows=rows).packages
    manifest_import(station=station, service_date=day, rows=rows)
    fields = [f.attname for f in Package._meta.concrete_fields if f.attname not in ("id", "created_at")]
    stored = {p.tracking_id: p for p in Package.objects.all()}
    assert [[getattr(stored[p.tracking_id], f) for f in fields] for p in expected] == [
        [getattr(p, f) for f in fields] for p in expected]
    assert stored["T1"].recipient_name == "Tab\there \\ back\nslash" and stored["T2"].weight_kg == Decimal("1.5")
    assert stored["T1"].weight_kg is None and stored["T1"].status == "pending" and stored["T1"].created_at
    assert stored["T1"].recipient_email == "o'neil+{tag}|~`#$%&*=?^@exämple.com"
    assert [stored[t].recipient_phone for t in ("T1", "T2", "T3")] == ["+12065550142", "", "+12065550100"]
    assert stored["T2"].recipient_email == "" and stored["T1"].age_check_required is False
    assert stored["T1"].delivery_pin == "" and stored["T1"].stop_id is None


@pytest.mark.parametrize(("over", "field", "sentence"), [
    ({"recipient_email": "ann@"}, "recipient_email", "“ann@” is not an e-mail address (like name@example.com)."),
    ({"recipient_email": "ann smith@example.com"}, "recipient_email", "is not an e-mail address"),
    ({"recipient_email": "a" * 250 + "@example.com"}, "recipient_email", "longer than 254 characters"),
    ({"recipient_phone": "555-0100"}, "recipient_phone",
     "“555-0100” is not a US phone number (like 206-555-0100 or +1 206 555 0100)."),
    ({"recipient_phone": "+44 20 7946 0958"}, "recipient_phone", "is not a US phone number"),
    ({"recipient_phone": "call the front desk"}, "recipient_phone", "is not a US phone number"),
    ({"recipient_phone": "206-555-0100 ext. 12"}, "recipient_phone", "has an extension"),
])
def test_a_bad_recipient_e_mail_or_phone_is_a_row_error_with_a_sentence_and_imports_nothing(station, day, over,
                                                                                          field, sentence):
    rows = [_row(tracking_id="OK1", recipient_email="ann@example.com", recipient_phone="2065550100"),
            _row(tracking_id="BAD2", **over)]
    check = manifest_check(station=station, service_date=day, rows=rows)
    assert [(e.row, e.field, sentence in e.message) for e in check.errors] == [(2, field, True)]
    with pytest.raises(ValidationFailed) as exc:
        manifest_import(station=station, service_date=day, rows=rows)
    assert any(sentence in line for line in exc.value.fields["rows"])
    assert not Package.objects.exists()


def test_recipient_columns_from_a_csv_are_stored_normalised(station, day):
    from routes.services import manifest_rows_from_csv

    data = (b"tracking_id,address_line1,state,latitude,longitude,recipient_email,recipient_phone\n"
            b"C1,1 Pike St,WA,47.6,-122.33, Ann@Example.com ,(206) 555-0199\n"
            b"C2,2 Pike St,WA,47.6,-122.33,,\n")
    manifest_import(station=station, service_date=day, rows=manifest_rows_from_csv(data))
    assert sorted(Package.objects.values_list("tracking_id", "recipient_email", "recipient_phone")) == [
        ("C1", "Ann@Example.com", "+12065550199"), ("C2", "", "")]


@pytest.mark.parametrize("vendor", ["postgresql", "portable"])
def test_a_tracking_id_another_import_stores_meanwhile_is_skipped_and_the_rest_written(station, day, monkeypatch,
                                                                                   vendor):
    """Between the check and the write another station's import stores one of the ids: the write skips it (as a
    concurrent re-send stays a no-op) and stores the others, nothing failing, nothing written twice."""
    from routes.services import manifests

    real_check, other = manifests.manifest_check, StationFactory()

    def check_then_the_other_import(**kwargs):
        check = real_check(**kwargs)
        manifests.package_rows_copy(real_check(station=other, service_date=day, rows=[_row(tracking_id="R2")]).rows)
        return check

    monkeypatch.setattr(manifests, "manifest_check", check_then_the_other_import)
    if vendor == "portable":
        monkeypatch.setattr(manifests, "connection", type("Sqlite", (), {"vendor": "sqlite"})())
    result = manifest_import(station=station, service_date=day, rows=[_row(tracking_id=f"R{k}") for k in (1, 2, 3)])

    assert len(result.rows) == 3
    assert sorted(Package.objects.values_list("tracking_id", "station_id")) == [
        ("R1", station.pk), ("R2", other.pk), ("R3", station.pk)]


def test_a_csv_is_read_as_pythons_dictreader_reads_it_blank_short_and_long_lines_included():
    import csv
    import io

    from routes.services import manifest_rows_from_csv

    text = ("tracking_id,address_line1,latitude,longitude\r\nA,1 Pike St,47.6,-122.33\r\n\r\nB,2 Pike St\r\n"
            'C,3 Pike St,47.6,-122.33,extra,more\r\n"D","4 Pike St, ""Apt\n2""",47.6,-122.33\r\n')
    assert manifest_rows_from_csv(("\ufeff" + text).encode()) == list(csv.DictReader(io.StringIO(text)))
