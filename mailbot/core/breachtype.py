"""The kind of breach, in the categories the Autoriteit Persoonsgegevens reports by, suggested
from the words of the report. Pure.

The first category whose words occur in the text wins; the order puts the most telling words
first ("bcc" before "e-mail", "ransomware" before "verkeerd").
"""

from __future__ import annotations

import re

# key → (Dutch, English, words that point to it)
TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bcc": ("Aan/Cc in plaats van Bcc", "To/Cc instead of Bcc", ("bcc", " cc ", "in de cc", "alle adressen zichtbaar")),
    "hacking": (
        "Hacking, malware of phishing",
        "Hacking, malware or phishing",
        ("phishing", "ransomware", "malware", "virus", "hack", "gehackt", "inlog", "wachtwoord buitgemaakt"),
    ),
    "email": (
        "E-mail aan verkeerde ontvanger",
        "E-mail to the wrong recipient",
        (
            "verkeerde ontvanger",
            "verkeerde persoon gemaild",
            "verkeerd e-mailadres",
            "wrong recipient",
            "verkeerd gemaild",
        ),
    ),
    "post": (
        "Post naar verkeerd adres",
        "Post to the wrong address",
        ("brief", " post ", "per post", "poststuk", "envelop", "verkeerd adres", "wrong address"),
    ),
    "lost": (
        "Apparaat of papier verloren of gestolen",
        "Device or paper lost or stolen",
        ("kwijt", "verloren", "gestolen", "diefstal", "laptop", "usb", "telefoon", "map met", "lost", "stolen"),
    ),
    "access": (
        "Toegangsrechten",
        "Access rights",
        ("toegang", "rechten", "autorisatie", "kon inzien", "ingezien", "access"),
    ),
    "other": ("Overig", "Other", ()),
}


# The same kinds in the words of the AP's notification form (section 5, "type inbreuk"), which
# the AP's own yearly figures count by.
AP_WORDING: dict[str, tuple[str, str]] = {
    "bcc": ("ontvangers in Aan of Cc in plaats van Bcc", "recipients in To or Cc instead of Bcc"),
    "hacking": ("hacking, malware en/of phishing", "hacking, malware and/or phishing"),
    "email": ("e-mail naar een verkeerde ontvanger", "e-mail to the wrong recipient"),
    "post": ("brief of pakket naar een verkeerde ontvanger", "letter or parcel to the wrong recipient"),
    "lost": ("apparaat, USB-stick of papier verloren of gestolen", "device, USB stick or paper lost or stolen"),
    "access": ("toegangsrechten verkeerd ingesteld", "access rights set wrongly"),
    "other": ("overig", "other"),
}


def suggest(text: str) -> str:
    """The likely category of a report's text (a key of :data:`TYPES`); "other" when none fits."""
    low = " " + re.sub(r"\s+", " ", text.lower()) + " "
    for key, (_, _, words) in TYPES.items():
        if any(word in low for word in words):
            return key
    return "other"


def name(key: str, language: str = "nl") -> str:
    nl, en, _ = TYPES.get(key, TYPES["other"])
    return nl if language == "nl" else en


def ap_name(key: str, language: str = "nl") -> str:
    """The kind as the AP's form words it."""
    nl, en = AP_WORDING.get(key, AP_WORDING["other"])
    return nl if language == "nl" else en
