# The triggers of 0011's table (its unique constraint, which they rely on, is made at the end of 0011).
# A route's stop list versioned by the database (routes.RouteTouch): triggers on the stops and the packages add a row
# with a random mark for each route a transaction writes to, once a transaction; the route list's ?expand=stops keeps
# each route's stops JSON under the sum of its marks (routes.api.stops). PostgreSQL only: SQLite keeps nothing.

from django.db import migrations

# A random 62-bit mark: sums of them never repeat by chance, not even after a database is made again.
MARK = "(random() * 4611686018427387903)::bigint"
TOUCH = ("INSERT INTO routes_routetouch (route_id, tx, mark) SELECT t.route_id, txid_current(), " + MARK
         + " FROM ({routes}) t(route_id) WHERE t.route_id IS NOT NULL ON CONFLICT (route_id, tx) DO NOTHING;")
STOPS_OF = "SELECT DISTINCT s.route_id FROM routes_routestop s WHERE s.id IN ({ids})"
# The packages an UPDATE moved to or from a stop, or gave another tracking id or day (the stop list's ordering).
MOVED = ("SELECT unnest(ARRAY[o.stop_id, n.stop_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id "
         "WHERE o.stop_id IS DISTINCT FROM n.stop_id OR o.tracking_id IS DISTINCT FROM n.tracking_id "
         "OR o.service_date IS DISTINCT FROM n.service_date")

FORWARD = f"""
CREATE FUNCTION routes_stops_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {TOUCH.format(routes="SELECT DISTINCT route_id FROM new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {TOUCH.format(routes="SELECT DISTINCT route_id FROM old_rows")}
    ELSE
        {TOUCH.format(routes="SELECT route_id FROM new_rows UNION SELECT route_id FROM old_rows")}
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION routes_packages_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {TOUCH.format(routes=STOPS_OF.format(ids="SELECT stop_id FROM new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        {TOUCH.format(routes=STOPS_OF.format(ids="SELECT stop_id FROM old_rows"))}
    ELSE  -- only what the stop list shows: an outcome's status change touches nothing
        {TOUCH.format(routes=STOPS_OF.format(ids=MOVED))}
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION routes_routes_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM routes_routetouch WHERE route_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER routes_stops_inserted AFTER INSERT ON routes_routestop REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION routes_stops_touched();
CREATE TRIGGER routes_stops_updated AFTER UPDATE ON routes_routestop
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routes_stops_touched();
CREATE TRIGGER routes_stops_deleted AFTER DELETE ON routes_routestop REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION routes_stops_touched();
CREATE TRIGGER routes_packages_inserted AFTER INSERT ON routes_package REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION routes_packages_touched();
CREATE TRIGGER routes_packages_deleted AFTER DELETE ON routes_package REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION routes_packages_touched();
-- Statement triggers that see their rows (a column list would hide them): a 30-row status update pays ~0.01 ms.
CREATE TRIGGER routes_packages_updated AFTER UPDATE ON routes_package
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routes_packages_touched();
CREATE TRIGGER routes_routes_gone AFTER DELETE ON routes_route REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION routes_routes_gone();

{TOUCH.format(routes="SELECT DISTINCT route_id FROM routes_routestop")}
"""

BACKWARD = """
DROP TRIGGER routes_stops_inserted ON routes_routestop;
DROP TRIGGER routes_stops_updated ON routes_routestop;
DROP TRIGGER routes_stops_deleted ON routes_routestop;
DROP TRIGGER routes_packages_inserted ON routes_package;
DROP TRIGGER routes_packages_deleted ON routes_package;
DROP TRIGGER routes_packages_updated ON routes_package;
DROP TRIGGER routes_routes_gone ON routes_route;
DROP FUNCTION routes_stops_touched(), routes_packages_touched(), routes_routes_gone();
"""


def _triggers(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('routes', '0011_route_touches'),
    ]

    operations = [
        migrations.RunPython(_triggers(FORWARD), _triggers(BACKWARD)),
    ]
