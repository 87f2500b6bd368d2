"""``locust.contrib.postgres``: not in Horde yet (see horde.compat.contrib_missing)."""

from horde.compat.contrib_missing import refuse

refuse("postgres", "PostgresUser", "psycopg")
