"""A real SMTP server on 127.0.0.1 for the sending tests (aiosmtpd), with a test CA (trustme)
for STARTTLS and implicit TLS, optional AUTH, refused recipients and a SIZE limit; plus a
listener that accepts connections and never answers, and a port where nothing listens."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "program@contoh.go.id"
PASSWORD = "rahasia-benar"
REFUSED = "ditolak@contoh.go.id"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@dataclass
class Stand:
    port: int
    handler: Handler
    cafile: Path | None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def settings(self, security: str = "none", **more: str) -> list[str]:
        """`--set` options for sopxl."""
        pairs = {"smtp_host": "127.0.0.1", "smtp_port": str(self.port), "smtp_security": security,
                 "email_from": USER, "smtp_timeout_s": "5", **more}
        if self.cafile is not None:
            pairs["smtp_cafile"] = str(self.cafile)
        out: list[str] = []
        for k, v in pairs.items():
            out += ["--set", f"{k}={v}"]
        return out


@contextmanager
def smtp_server(tmp: Path, tls: str = "none", auth: bool = False, size: int | None = None,
                port: int | None = None) -> Iterator[Stand]:
    """tls: none | starttls | ssl."""
    handler = Handler()
    kwargs: dict[str, Any] = {}
    cafile: Path | None = None
    if tls != "none":
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server_ctx)
        cafile = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(cafile))
        if tls == "starttls":
            kwargs.update(tls_context=server_ctx, require_starttls=True)
        else:
            kwargs.update(ssl_context=server_ctx)
    if auth:
        kwargs.update(authenticator=_authenticator, auth_require_tls=tls == "none" and False)
        if tls == "none":
            kwargs["auth_require_tls"] = False
    if size is not None:
        kwargs["data_size_limit"] = size
    chosen = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=chosen, **kwargs)
    controller.start()
    try:
        yield Stand(chosen, handler, cafile)
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]
