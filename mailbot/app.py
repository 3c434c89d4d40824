"""Wiring: from settings to the services every command uses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from mailbot.config import Settings
from mailbot.db import create_schema, make_engine
from mailbot.render import Renderer
from mailbot.store import BlobStore


@dataclass(frozen=True)
class Services:
    """What the stages share: settings, database, file store, templates."""

    settings: Settings
    engine: Engine
    store: BlobStore
    renderer: Renderer


def build(settings: Settings, create: bool = True) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = make_engine(settings.database_url)
    if create:
        create_schema(engine)
    return Services(
        settings=settings,
        engine=engine,
        store=BlobStore(settings.data_dir),
        renderer=Renderer(settings.timezone, settings.template_dir),
    )
