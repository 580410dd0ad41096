"""The fixed names that scenario files, records and KPI keys share.

Kept apart from the scenario dataclasses so that the KPI registry
(:mod:`sim111.kpi_keys`), which scenarios check penalty names against, can use
them without importing the scenario package.
"""

DAY_TYPES = ("weekday", "saturday", "sunday", "bank_holiday")
DISPOSITIONS = ("ambulance", "ed", "primary_care", "other_service", "pharmacy", "self_care")
