"""Where the sockets of a distributed run live: the one place that knows endpoint kinds.

:func:`endpoint_kind` gives the :class:`EndpointKind` of a transport name; the sink
(:mod:`streams.transport_sink`) and the source (:mod:`streams.transport_worker`)
bind through it, and the sink checks the endpoint the source announces with it.
Kinds here, both on this machine only:

- ``ipc``: ``ipc://`` paths in a private temporary directory (mode 0700) that the sink
  creates and removes;
- ``tcp``: random ports on ``tcp://127.0.0.1``.

Every socket gets ``LINGER 0`` and a maximum message size (``ZMQ_MAXMSGSIZE``): a peer
that sends more is disconnected by libzmq before the message is held in memory
(:func:`configure`). A kind that leaves the machine (tcp with CURVE, issue 12) would
be one more class here.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import zmq

__all__ = ["EndpointKind", "IpcEndpoints", "TcpLoopback", "endpoint_kind", "configure", "TRANSPORTS"]

TRANSPORTS = ("ipc", "tcp")


def configure(sock: zmq.Socket, *, max_bytes: int, hwm: int | None = None) -> zmq.Socket:
    """LINGER 0, the maximum message size, and the high-water marks of one socket."""
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.MAXMSGSIZE, int(max_bytes))
    if hwm is not None:
        sock.setsockopt(zmq.SNDHWM, int(hwm))
        sock.setsockopt(zmq.RCVHWM, int(hwm))
    return sock


class EndpointKind:
    """How sockets of one run bind, and which announced endpoints are acceptable."""

    name = ""

    def bind(self, sock: zmq.Socket, role: str) -> str:
        """Bind ``sock`` for ``role`` (ctrl, data, work); returns the endpoint to connect to."""
        raise NotImplementedError

    def accepts(self, endpoint: str, role: str) -> bool:
        """Whether an endpoint announced by a child for ``role`` is one this kind makes."""
        raise NotImplementedError

    def close(self) -> None:
        """Remove what the kind created (the ipc directory)."""


@dataclass
class IpcEndpoints(EndpointKind):
    """``ipc://`` endpoints in one private directory (see the module docstring)."""

    directory: str
    name = "ipc"

    @classmethod
    def create(cls) -> IpcEndpoints:
        return cls(tempfile.mkdtemp(prefix="triggeremu-zmq-"))

    def path(self, role: str) -> str:
        return f"ipc://{Path(self.directory) / role}"

    def bind(self, sock: zmq.Socket, role: str) -> str:
        endpoint = self.path(role)
        sock.bind(endpoint)
        return endpoint

    def accepts(self, endpoint: str, role: str) -> bool:
        return endpoint == self.path(role)

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class TcpLoopback(EndpointKind):
    """Random ports on 127.0.0.1 (never another interface)."""

    host: str = "127.0.0.1"
    name = "tcp"

    def bind(self, sock: zmq.Socket, role: str) -> str:
        return f"tcp://{self.host}:{sock.bind_to_random_port(f'tcp://{self.host}')}"

    def accepts(self, endpoint: str, role: str) -> bool:
        prefix = f"tcp://{self.host}:"
        return endpoint.startswith(prefix) and endpoint[len(prefix):].isdigit()


def endpoint_kind(transport: str) -> EndpointKind:
    """The endpoint kind of a transport name (``ipc`` creates its private directory)."""
    if transport == "ipc":
        return IpcEndpoints.create()
    if transport == "tcp":
        return TcpLoopback()
    msg = f"unknown transport {transport!r}; use one of {TRANSPORTS} (both stay on this machine)"
    raise ValueError(msg)
