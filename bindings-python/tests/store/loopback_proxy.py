"""A TCP proxy on loopback between a driver and a real server, for faults
that a server cannot be asked to make: a reply lost after the server ran
the command, and a server that stops mid-run.

Threads, one pair per connection; bytes are forwarded unchanged except
where a fault is armed.
"""

from __future__ import annotations

import socket
import threading
import time


class LoopbackProxy:
    """Listens on 127.0.0.1 (``port``) and forwards to ``upstream``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._drop_after: bytes | None = None
        self._swallow: set[int] = set()  # server sockets whose replies are lost
        self.dropped = 0
        self.sent: list[bytes] = []  # every client→server chunk, in order
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    # --- faults ---------------------------------------------------------------

    def drop_reply_after(self, marker: bytes) -> None:
        """The next client chunk that holds ``marker`` reaches the server; its
        reply is read from the server and thrown away, and the client's
        connection is closed (the server ran the command; the client never
        learns its outcome). Once."""
        with self._lock:
            self._drop_after = marker

    def stop(self) -> None:
        """The server goes away: every connection is reset and new ones are
        refused."""
        with self._lock:
            self._stopped = True
            socks, self._sockets = self._sockets, []
        self._listener.close()
        for s in socks:
            _close(s)

    def count(self, marker: bytes) -> int:
        """How many client chunks held ``marker``."""
        with self._lock:
            return sum(marker in chunk for chunk in self.sent)

    # --- forwarding -----------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._stopped:
                    _close(client)
                    _close(server)
                    return
                self._sockets += [client, server]
            threading.Thread(target=self._client_to_server, args=(client, server), daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(server, client), daemon=True).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        while True:
            try:
                chunk = client.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                _close(server)
                return
            with self._lock:
                self.sent.append(chunk)
                drop = self._drop_after is not None and self._drop_after in chunk
                if drop:
                    self._drop_after = None
            if drop:
                # Mark the pair so the reply is swallowed, then send.
                with self._lock:
                    self._swallow.add(id(server))
                try:
                    server.sendall(chunk)
                except OSError:
                    pass
                # The reply arrives and is read by the other thread, which
                # throws it away; then both sides close.
                time.sleep(0.3)
                with self._lock:
                    self.dropped += 1
                _close(client)
                _close(server)
                return
            try:
                server.sendall(chunk)
            except OSError:
                _close(client)
                return

    def _server_to_client(self, server: socket.socket, client: socket.socket) -> None:
        while True:
            try:
                chunk = server.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                _close(client)
                return
            with self._lock:
                swallow = id(server) in self._swallow
            if swallow:
                continue
            try:
                client.sendall(chunk)
            except OSError:
                _close(server)
                return


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
