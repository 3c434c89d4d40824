"""TLS for both servers: certificates and host names are always verified."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
