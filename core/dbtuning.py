"""Storage settings that migrations apply on PostgreSQL only (the embedded SQLite has no such knobs)."""

from django.db import migrations


def fillfactor(table: str, percent: int) -> migrations.RunPython:
    """Leave `100 - percent` % of each new page of `table` free, so that an update which changes no indexed column
    writes the new row version on the same page and no index entries (a HOT update). For rows updated a few times
    each (a parcel or a stop through its day) this saves an index insert per index and update. Pages written
    before keep their fill until rewritten."""

    def apply(apps, schema_editor, value=percent):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{table}" SET (fillfactor = {int(value)})')

    def revert(apps, schema_editor):
        apply(apps, schema_editor, 100)

    return migrations.RunPython(apply, revert, elidable=False)
