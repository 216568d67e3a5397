"""HTML pages: parse, call one service or selector, render. One module per thing served:

- `planning`: stations and a station-day's plan with its map (planners);
- `manifest`: manifest upload, preview and import job (planners);
- `night`: the national night, live (admins);
- `day`: the day's work: dispatch (assign drivers and vans), the driver's route today, stop outcomes and photos,
  a route's printable manifest;
- `live`: the live board, one route's live page, rescue and call-out (dispatchers);
- `track`: the recipient's tracking page (public, by its signed link; urls in `routes.urls_track`);
- `roster`: the dispatcher's roster week and the driver's week;
- `jobs`: how a job's progress reads (shared with the API and the night);
- `common`: helpers the pages share (`or_404`, `partner_or_404`, `hms`)."""
