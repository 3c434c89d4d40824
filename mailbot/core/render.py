"""One Jinja2 environment for every outgoing mail.

Templates live in ``templates/<language>/<audience>_<event>.txt``; each defines a ``subject``
and a ``body`` block, so the subject is worded where the body is. An organisation's own
folder (``MAILBOT_TEMPLATE_DIR``) is searched first, so wording can change without code.

The templates sit at the top of the repository, where an organisation looks for them; a built
package (wheel) carries them as ``mailbot/templates`` (pyproject.toml maps the one onto the
other), and an editable install reads the checkout's folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from mailbot.core import wording
from mailbot.core.answers import answer_text, spoken_moment
from mailbot.core.phases import state_text
from mailbot.core.questionnaire import PROCESSOR_QUESTIONS, QUESTIONS, question_label

_ASKED = frozenset(q.field for q in (*QUESTIONS, *PROCESSOR_QUESTIONS))


def field_label(name: str, language: str = "nl") -> str:
    """A field as people name it: the questionnaire's own words for what it asks, else the
    officers' label (wording.py)."""
    return question_label(name, language) if name in _ASKED else wording.label(name, language)


def package_templates() -> Path:
    """The templates mailbot comes with: inside the installed package, else (an editable
    install) the checkout's top-level ``templates/``."""
    bundled = resources.files("mailbot") / "templates"
    if bundled.is_dir():
        return Path(str(bundled))
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if not checkout.is_dir():
        raise FileNotFoundError(
            f"mailbot's templates are missing (looked in {bundled} and {checkout}): "
            "reinstall mailbot from its repository or a wheel built from it"
        )
    return checkout


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def local_time(value: datetime | None, tz: ZoneInfo, fmt: str = "%d-%m-%Y %H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value else ""


def header_safe(value: object) -> str:
    """One line, no control characters: what a mail header can carry."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip()


# The most of a reporter's text a notice to the officers carries; the whole is in the case
# (``mailbot show``) and in the stored original.
EXCERPT_CHARS = 20_000


def excerpt(value: object, limit: int = EXCERPT_CHARS, more: str = "[...]") -> str:
    """A long text cut at ``limit`` characters, with ``more`` (which may use {n}, the number
    of characters left out) where it was cut."""
    text = str(value)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut.rstrip() + "\n" + more.format(n=len(text) - len(cut))


class Renderer:
    def __init__(self, tz: ZoneInfo, override_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loaders.append(FileSystemLoader(str(package_templates())))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,  # noqa: S701  (plain-text mail only; nothing here is ever rendered as HTML)
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # A moment as Dutch people write it: {{ at|when("nl") }} → "1 december 2026, 17:30".
        # ``local`` (day-month-year digits) stays for an organisation's own older templates.
        self.env.filters["when"] = lambda v, language="nl": wording.when(v, tz, language)
        self.env.filters["day"] = wording.day
        self.env.filters["local"] = lambda v, fmt="%d-%m-%Y %H:%M": local_time(v, tz, fmt)
        self.env.filters["oneline"] = header_safe
        self.env.filters["excerpt"] = excerpt
        # A field's name and a stored value as people write them (wording.py): never a key. An
        # answer to the questionnaire with what it answers: {{ new|answer(name, "nl") }}.
        self.env.filters["label"] = field_label
        self.env.filters["plain"] = lambda v, language="nl": wording.value(v, tz, language)
        self.env.filters["answer"] = lambda value, name, language, limit=200: answer_text(name, value, language, limit)
        # A case's state in one phrase: {{ case.status|state("nl") }} → "fase kwalificeren".
        self.env.filters["state"] = state_text
        self.env.filters["spoken"] = lambda v, language: spoken_moment(v.astimezone(tz), language) if v else ""
        # Pages for people (the register, the AP draft): every value escaped, nothing from a
        # mail is ever taken as HTML.
        self.html = Environment(
            loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=True, trim_blocks=True,
            lstrip_blocks=True,
        )  # fmt: skip

    @staticmethod
    def say(language: str, nl: str, en: str) -> str:
        """A short text in the language asked for (for lines built in code, not templates)."""
        return nl if language == "nl" else en

    def page(self, name: str, **context: Any) -> Iterator[str]:
        """An HTML page from ``templates/html/``, produced piece by piece (a register of years
        is never held whole)."""
        return self.html.get_template(f"html/{name}.html").generate(**context)

    def render(self, language: str, name: str, **context: Any) -> Rendered:
        template = self.env.get_template(f"{language}/{name}.txt")
        ctx = template.new_context(context)
        subject = "".join(template.blocks["subject"](ctx))
        body = "".join(template.blocks["body"](ctx))
        return Rendered(header_safe(subject), body.strip() + "\n")
