"""REST under /api/v1/routes/ (urls in `routes.api_urls`), thin like the pages:

- `plans`: stations, manifest imports, plans and their jobs, routes, assignments, stop outcomes, the driver's
  offline batch;
- `live`: the day's operations: positions, the live board's data, a route's track, rescue and call-out, and the
  recipient's tracking (public, by its signed link);
- `nights`: the national night (planners)."""
