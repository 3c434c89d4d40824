"""Wiring: from settings to the services every command uses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from mailbot.core.config import Settings
from mailbot.core.render import Renderer
from mailbot.model.db import create_schema, make_engine
from mailbot.model.store import Blobs, BlobStore, DatabaseBlobStore


@dataclass(frozen=True)
class Services:
    """What the stages share: settings, database, the store of raw messages and attachments,
    templates."""

    settings: Settings
    engine: Engine
    store: Blobs
    renderer: Renderer


def build(settings: Settings, create: bool = True) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = make_engine(settings.database_url)
    if create:
        create_schema(engine)
    # PostgreSQL: everything in the database, so any worker on any machine can take over
    # (store.py); SQLite: files beside it in the data dir.
    store: Blobs = (
        DatabaseBlobStore(engine, settings.data_dir)
        if engine.dialect.name == "postgresql"
        else BlobStore(settings.data_dir)
    )
    return Services(
        settings=settings,
        engine=engine,
        store=store,
        renderer=Renderer(settings.timezone, settings.template_dir),
    )
