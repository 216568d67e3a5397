import pytest

from core.errors import ValidationFailed
from fleet.models import Driver, DriverEvent
from fleet.services import driver_import, driver_import_preview
from tests.fleet.factories import DriverFactory

HEADER = "first_name,last_name,email,phone,licence_number,licence_state,licence_class,licence_expires_on\n"
GOOD_1 = "Ana,Silva,ana@example.com,404-555-0101,S1234567,GA,D,2028-05-31\n"
GOOD_2 = "Ben,Okafor,ben@example.com,404-555-0102,O7654321,GA,C,06/30/2029\n"
BAD_DATE = "Cleo,Nguyen,cleo@example.com,404-555-0103,N5550001,GA,D,31/31/2029\n"
BAD_STATE = "Dev,Shah,dev@example,404-555-0104,H1110001,ZZ,D,2029-01-01\n"


@pytest.mark.django_db
def test_preview_lists_row_errors_and_writes_nothing(partner_and_owner):
    partner, _owner = partner_and_owner
    preview = driver_import_preview(partner=partner, content=HEADER + GOOD_1 + BAD_DATE + GOOD_2 + BAD_STATE)
    assert [r.line for r in preview.good] == [2, 4]
    assert [r.line for r in preview.bad] == [3, 5]
    assert "licence_expires_on" in preview.bad[0].errors[0]
    assert any(e.startswith("licence_state") for e in preview.bad[1].errors)
    assert any(e.startswith("email") for e in preview.bad[1].errors)
    assert Driver.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_row_refuses_the_whole_file_then_good_rows_only_imports_the_rest(partner_and_owner):
    partner, owner = partner_and_owner
    content = HEADER + GOOD_1 + BAD_DATE + GOOD_2

    with pytest.raises(ValidationFailed) as refused:
        driver_import(partner=partner, content=content, by=owner)
    assert refused.value.code == "import_has_errors" and "line 3" in refused.value.fields
    assert Driver.objects.count() == 0

    result = driver_import(partner=partner, content=content, only_good_rows=True, by=owner)

    assert [d.full_name for d in result.created] == ["Ana Silva", "Ben Okafor"]
    assert [r.line for r in result.skipped] == [3]
    assert set(Driver.objects.filter(partner=partner).values_list("licence_number", flat=True)) == {"S1234567",
                                                                                                  "O7654321"}
    assert DriverEvent.objects.filter(driver__partner=partner, note__icontains="CSV").count() == 2


@pytest.mark.django_db
def test_duplicates_in_file_and_on_roster_are_row_errors(partner_and_owner):
    partner, _owner = partner_and_owner
    DriverFactory(partner=partner, licence_number="S1234567", licence_state="GA")
    preview = driver_import_preview(partner=partner, content=HEADER + GOOD_1 + GOOD_2 + GOOD_2)
    errors = {r.line: r.errors for r in preview.bad}
    assert "already on your roster" in errors[2][0]
    assert "line 3" in errors[4][0]


@pytest.mark.django_db
def test_missing_columns_are_refused(partner_and_owner):
    partner, _owner = partner_and_owner
    with pytest.raises(ValidationFailed) as exc:
        driver_import_preview(partner=partner, content="first_name,last_name\nAna,Silva\n")
    assert exc.value.code == "missing_columns"
