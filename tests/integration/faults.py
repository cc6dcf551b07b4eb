# -*- coding: utf-8 -*-
"""Fault injection for the reliability tests: a TCP proxy the tests control, TLS in front of RabbitMQ,
and a throwaway certificate authority. Everything listens on 127.0.0.1 only."""

import datetime
import ipaddress
import socket
import ssl
import threading


class FaultProxy:
    """Forwards TCP connections from a local port to ``target``; ``cut()`` drops every live connection.

    With ``tls_context`` it terminates TLS on the listening side (a TLS front for a plain broker).
    With ``on_request`` it calls ``on_request(data)`` with what a client sends, before passing it on.
    """

    def __init__(self, target, tls_context=None, on_request=None):
        self.target = target
        self.tls_context = tls_context
        self.on_request = on_request
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.accepted = 0
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            try:
                if self.tls_context is not None:
                    client.settimeout(10)
                    client = self.tls_context.wrap_socket(client, server_side=True)
                    client.settimeout(None)
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except (OSError, ssl.SSLError):
                client.close()
                continue
            with self.lock:
                self.accepted += 1
                self.connections.append((client, upstream))
            for source, sink, inspect in ((client, upstream, self.on_request), (upstream, client, None)):
                threading.Thread(target=self._pipe, args=(source, sink, inspect), daemon=True).start()

    @staticmethod
    def _pipe(source, sink, inspect=None):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if inspect is not None:
                    inspect(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        """Drop every connection open now (new ones are still accepted). Returns how many were cut."""
        with self.lock:
            live, self.connections = self.connections, []
        for pair in live:
            for end in pair:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
                except OSError:
                    pass
        return len(live)

    def stop(self):
        self.running = False
        self.listener.close()
        self.cut()


class TestCA:
    """A throwaway certificate authority that issues server certificates."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory, name='heat-rpc test CA'):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._serialization, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5))
                     .not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_file = directory / ('%s.pem' % name.replace(' ', '_'))
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, hostname):
        """A server certificate for ``hostname`` (and 127.0.0.1): returns (cert path, key path)."""
        x509, oid = self._x509, self._oid
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(oid.COMMON_NAME, hostname)]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)] + (
                    [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))] if hostname == 'localhost' else [])),
                    critical=False)
                .sign(self.key, self._hashes.SHA256()))
        cert_file = self.directory / ('%s.crt' % hostname)
        key_file = self.directory / ('%s.key' % hostname)
        cert_file.write_bytes(cert.public_bytes(self._serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(self._serialization.Encoding.PEM,
                                               self._serialization.PrivateFormat.PKCS8,
                                               self._serialization.NoEncryption()))
        return cert_file, key_file

    def server_context(self, hostname):
        cert_file, key_file = self.issue(hostname)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert_file), str(key_file))
        return context
