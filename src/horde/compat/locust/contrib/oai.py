"""``locust.contrib.oai``: not in Horde yet (see horde.compat.contrib_missing)."""

from horde.compat.contrib_missing import refuse

refuse("oai", "OpenAIUser", "openai")
