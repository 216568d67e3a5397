"""The reference for bench/bench_api.py: a bare Django REST framework list (one model, five fields, cursor-paginated
pages of 50, no authentication, DRF's own JSON renderer), the same Django, DRF, psycopg2 and gunicorn as the project.

    DATABASE_URL=postgres://.../dsp_bench_bare gunicorn --chdir bench bare_drf.wsgi
"""
