"""The statistics autovacuum keeps on a live database, for tables a bench has just seeded."""


def analyse_seeded(cursor) -> None:
    """ANALYZE each table that holds rows (a DB-API cursor on PostgreSQL). Without statistics the planner guesses a
    few rows for a table seeded a second ago: a page of 50 of 1,000 vans is read whole and sorted, 30 stops are
    found by scanning every stop. Not the empty tables (the outbox): analysed empty, they are planned as empty (a
    sequential scan for each foreign-key check) until autovacuum looks again, which a live database's outbox never
    is."""
    cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0")
    for (table,) in cursor.fetchall():
        cursor.execute(f'ANALYZE "{table}"')
