"""The fixed names that scenario files, records and KPI keys share.

Kept apart from the scenario dataclasses so that the KPI registry
(:mod:`sim111.kpi_keys`), which scenarios check penalty names against, can use
them without importing the scenario package.
"""

DAY_TYPES = ("weekday", "saturday", "sunday", "bank_holiday")
DISPOSITIONS = ("ambulance", "ed", "primary_care", "other_service", "pharmacy", "self_care")

# words in scenario names (snake_case) that a reader expects written otherwise
_WORDS = {
    "gp": "GP",
    "ooh": "out-of-hours",
    "nhs": "NHS",
    "ed": "A&E",
    "ae": "A&E",
    "iuc": "IUC",
    "cas": "CAS",
    "uk": "UK",
    "999": "999",
    "111": "111",
}


_NAMES = {"nhs_direct": "NHS Direct", "ooh": "Out-of-hours"}


def display_name(name: str) -> str:
    """A scenario name (``gp_ooh_base``) as a reader writes it (``GP out-of-hours base``)."""
    if name.lower() in _NAMES:
        return _NAMES[name.lower()]
    words = [_WORDS.get(w.lower(), w) for w in name.replace("-", "_").split("_") if w]
    if not words:
        return name
    first = words[0]
    words[0] = first[:1].upper() + first[1:] if first.islower() else first
    return " ".join(words)
