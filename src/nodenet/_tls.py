"""
TLS building blocks: Node's secure contexts, certificate objects and checks.

Theory of operation
-------------------
A :class:`SecureContext` is Node's ``tls.createSecureContext(options)``
(and the legacy ``crypto.createCredentials``): it parses and checks the
key, certificate chain, CA certificates, PKCS#12 bundle and protocol limits
at once, raising Node's errors, and builds pyOpenSSL contexts from them on
demand, always passing ``cryptography`` objects (pyOpenSSL deprecates its
own certificate classes).

A :class:`TLSSession` is one socket's TLS layer.  It is the connection
creator Twisted's ``startTLS`` asks for an ``OpenSSL.SSL.Connection``, and it
sets that connection up as Node does: the peer's certificate is requested
(always by a client, by a server with ``requestCert``) and verified with a
callback that never fails the handshake but records the error, so that
``authorized``/``authorizationError`` (and the legacy ``verifyPeer()``) can
be decided afterwards, exactly as Node decides them.  It also remembers the
peer's certificate chain, so that ``getPeerCertificate()`` keeps working
until the socket is destroyed.

:func:`peerCertificate` turns certificates into Node's plain objects,
:func:`checkServerIdentity` is Node's host name check, and
:func:`errorFromSSL` turns OpenSSL errors into Node's ``ERR_SSL_*`` errors.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from OpenSSL import SSL, crypto
from twisted.internet.interfaces import (
    IOpenSSLClientConnectionCreator,
    IOpenSSLServerConnectionCreator,
)
from zope.interface import implementer

from ._isip import isIP
from .errors import (
    NodeError,
    NodeSystemError,
    NodeTypeError,
    invalidArgType,
    systemError,
)

__all__ = [
    "DEFAULT_CIPHERS",
    "DEFAULT_ECDH_CURVE",
    "DEFAULT_MAX_VERSION",
    "DEFAULT_MIN_VERSION",
    "SecureContext",
    "TLSSession",
    "checkServerIdentity",
    "createSecureContext",
    "errorFromSSL",
    "peerCertificate",
    "certificateObject",
    "standardCipherName",
]

#: Node v20's ``tls.DEFAULT_MIN_VERSION``.
DEFAULT_MIN_VERSION = "TLSv1.2"
#: Node v20's ``tls.DEFAULT_MAX_VERSION``.
DEFAULT_MAX_VERSION = "TLSv1.3"
#: Node v20's ``tls.DEFAULT_ECDH_CURVE``.
DEFAULT_ECDH_CURVE = "auto"
#: Node v20's ``tls.DEFAULT_CIPHERS``: the same preference order as Node.
DEFAULT_CIPHERS = (
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:"
    "ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:"
    "DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA"
)

#: Seconds an ``end()`` over TLS waits for the peer's close_notify before it
#: aborts the connection (TLS has no half-close, so the connection would
#: otherwise stay open for as long as the peer keeps it).
closeNotifyTimeout = 30.0

_VERSIONS = {
    "TLSv1": SSL.TLS1_VERSION,
    "TLSv1.1": SSL.TLS1_1_VERSION,
    "TLSv1.2": SSL.TLS1_2_VERSION,
    "TLSv1.3": SSL.TLS1_3_VERSION,
}

_BYTES_TYPES = (bytes, bytearray, memoryview)
_KEY_TYPES = ["string", "Buffer", "TypedArray", "DataView"]


# ---------------------------------------------------------------------------
# Node's errors


def _opensslError(code: str | None, message: str, library: str | None, reason: str | None) -> NodeError:
    """An error as Node builds it from OpenSSL's error queue."""
    err = NodeError(message, code)
    if library is not None:
        err.library = library  # type: ignore[attr-defined]
    if reason is not None:
        err.reason = reason  # type: ignore[attr-defined]
    return err


# What Node (with its OpenSSL 3.0) reports when it cannot load the material.
_LOAD_ERRORS = {
    "key": ("ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported",
            "DECODER routines", "unsupported"),
    "noStartLine": ("ERR_OSSL_PEM_NO_START_LINE", "error:0480006C:PEM routines::no start line",
                    "PEM routines", "no start line"),
    "wrongTag": ("ERR_OSSL_ASN1_WRONG_TAG", "error:068000A8:asn1 encoding routines::wrong tag",
                 "asn1 encoding routines", "wrong tag"),
    "mismatch": ("ERR_OSSL_X509_KEY_VALUES_MISMATCH",
                 "error:05800074:x509 certificate routines::key values mismatch",
                 "x509 certificate routines", "key values mismatch"),
    "badDecrypt": ("ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt",
                   "Provider routines", "bad decrypt"),
    "noCipherMatch": ("ERR_SSL_NO_CIPHER_MATCH", "error:0A0000B9:SSL routines::no cipher match",
                      "SSL routines", "no cipher match"),
}


def _loadError(kind: str) -> NodeError:
    return _opensslError(*_LOAD_ERRORS[kind])


# OpenSSL's library names, as the token Node puts in its error codes.
_LIBRARIES = {
    "SSL routines": "SSL",
    "PEM routines": "PEM",
    "x509 certificate routines": "X509",
    "asn1 encoding routines": "ASN1",
    "digital envelope routines": "EVP",
    "BIO routines": "BIO",
    "PKCS12 routines": "PKCS12",
    "X509 V3 routines": "X509V3",
    "elliptic curve routines": "EC",
    "rsa routines": "RSA",
    "bignum routines": "BN",
    "system library": "SYS",
    "random number generator": "RAND",
    "configuration file routines": "CONF",
    "common libcrypto routines": "CRYPTO",
    "object identifier routines": "OBJ",
    "memory buffer routines": "BUF",
}


def errorFromSSL(exc: BaseException) -> NodeError:
    """
    Node's error for an ``OpenSSL.SSL.Error``: ``code`` (``ERR_SSL_WRONG_VERSION_NUMBER``),
    ``library`` and ``reason`` as Node gives them.

    The message is OpenSSL's ``error:<library>::<reason>``; Node's also
    carries a thread id, OpenSSL's error number and source position.
    """
    queue = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    entries = [e for e in queue if isinstance(e, tuple) and len(e) == 3]
    if not entries:
        reset = systemError("ECONNRESET", "read ECONNRESET", syscall="read")
        reset.__cause__ = exc
        return reset
    library, _function, reason = (str(part) for part in entries[0])
    token = _LIBRARIES.get(library)
    tail = re.sub(r"[^A-Z0-9]+", "_", reason.upper()).strip("_")
    if token == "SSL":
        code = f"ERR_SSL_{tail}"
    elif token:
        code = f"ERR_OSSL_{token}_{tail}"
    else:
        code = f"ERR_OSSL_{tail}"
    err = _opensslError(code, f"error:{library}::{reason}", library, reason)
    err.__cause__ = exc
    return err


# X509_V_ERR_* codes: Node's name (the ``code`` and ``authorizationError``)
# and the message of Node's OpenSSL.
_VERIFY_ERRORS: dict[int, tuple[str, str]] = {
    2: ("UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate"),
    3: ("UNABLE_TO_GET_CRL", "unable to get certificate CRL"),
    4: ("UNABLE_TO_DECRYPT_CERT_SIGNATURE", "unable to decrypt certificate's signature"),
    5: ("UNABLE_TO_DECRYPT_CRL_SIGNATURE", "unable to decrypt CRL's signature"),
    6: ("UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "unable to decode issuer public key"),
    7: ("CERT_SIGNATURE_FAILURE", "certificate signature failure"),
    8: ("CRL_SIGNATURE_FAILURE", "CRL signature failure"),
    9: ("CERT_NOT_YET_VALID", "certificate is not yet valid"),
    10: ("CERT_HAS_EXPIRED", "certificate has expired"),
    11: ("CRL_NOT_YET_VALID", "CRL is not yet valid"),
    12: ("CRL_HAS_EXPIRED", "CRL has expired"),
    13: ("ERROR_IN_CERT_NOT_BEFORE_FIELD", "format error in certificate's notBefore field"),
    14: ("ERROR_IN_CERT_NOT_AFTER_FIELD", "format error in certificate's notAfter field"),
    15: ("ERROR_IN_CRL_LAST_UPDATE_FIELD", "format error in CRL's lastUpdate field"),
    16: ("ERROR_IN_CRL_NEXT_UPDATE_FIELD", "format error in CRL's nextUpdate field"),
    17: ("OUT_OF_MEM", "out of memory"),
    18: ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
    19: ("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"),
    20: ("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate"),
    21: ("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"),
    22: ("CERT_CHAIN_TOO_LONG", "certificate chain too long"),
    23: ("CERT_REVOKED", "certificate revoked"),
    24: ("INVALID_CA", "invalid CA certificate"),
    25: ("PATH_LENGTH_EXCEEDED", "path length constraint exceeded"),
    26: ("INVALID_PURPOSE", "unsupported certificate purpose"),
    27: ("CERT_UNTRUSTED", "certificate not trusted"),
    28: ("CERT_REJECTED", "certificate rejected"),
    29: ("SUBJECT_ISSUER_MISMATCH", "subject issuer mismatch"),
    30: ("AKID_SKID_MISMATCH", "authority and subject key identifier mismatch"),
    31: ("AKID_ISSUER_SERIAL_MISMATCH", "authority and issuer serial number mismatch"),
    32: ("KEYUSAGE_NO_CERTSIGN", "key usage does not include certificate signing"),
    34: ("UNHANDLED_CRITICAL_EXTENSION", "unhandled critical extension"),
    37: ("INVALID_NON_CA", "invalid non-CA certificate (has CA markings)"),
    79: ("INVALID_CA", "invalid CA certificate"),
}


def _verifyNames() -> dict[int, str]:
    names: dict[int, str] = {}
    codes = getattr(SSL, "X509VerificationCodes", None)
    for name, value in vars(codes).items() if codes is not None else ():
        if isinstance(value, int) and name.startswith("ERR_"):
            names[value] = name[4:]
    return names


def verifyError(errno: int) -> NodeError:
    """Node's error for an X509_V_ERR_* code (``DEPTH_ZERO_SELF_SIGNED_CERT``...)."""
    known = _VERIFY_ERRORS.get(errno)
    if known is None:
        name = _verifyNames().get(errno, "UNSPECIFIED")
        known = (name, name.lower().replace("_", " "))
    code, message = known
    return NodeError(message, code)


def altnameError(reason: str, host: str, cert: Any) -> NodeError:
    """``ERR_TLS_CERT_ALTNAME_INVALID`` with Node's ``reason``, ``host`` and ``cert``."""
    err = NodeError(
        f"Hostname/IP does not match certificate's altnames: {reason}",
        "ERR_TLS_CERT_ALTNAME_INVALID",
    )
    err.reason = reason  # type: ignore[attr-defined]
    err.host = host  # type: ignore[attr-defined]
    err.cert = cert  # type: ignore[attr-defined]
    return err


def connReset(message: str) -> NodeSystemError:
    """Node's ``ConnResetException``: code ``ECONNRESET``, no errno."""
    return systemError("ECONNRESET", message, withErrno=False)


# ---------------------------------------------------------------------------
# Loading keys and certificates


def _asBytes(value: Any, name: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, _BYTES_TYPES):
        return bytes(value)
    raise invalidArgType(name, _KEY_TYPES, value)


def _listOf(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", re.DOTALL
)


def _certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM text, raising Node's error if there is none."""
    blocks = [m.group(0) for m in _PEM_BLOCK.finditer(data)
              if m.group(1) in (b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"X509 CERTIFICATE")]
    if not blocks:
        raise _loadError("noStartLine")
    certs = []
    for block in blocks:
        try:
            certs.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            raise _loadError("wrongTag") from None
    return certs


def _privateKey(data: bytes, passphrase: bytes | None) -> Any:
    """A PEM private key (Node reads no other form)."""
    if b"-----BEGIN" not in data:
        raise _loadError("key")
    encrypted = b"ENCRYPTED" in data
    try:
        return serialization.load_pem_private_key(
            data, password=passphrase if encrypted else None
        )
    except TypeError:
        raise _loadError("badDecrypt") from None
    except ValueError:
        raise _loadError("badDecrypt" if encrypted else "key") from None


def _passphraseBytes(value: Any, name: str) -> bytes | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    raise invalidArgType(name, "string", value)


def _version(value: Any, which: str) -> int:
    if value not in _VERSIONS:
        err = NodeTypeError(
            f'"{value}" is not a valid {which} TLS protocol version',
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
        )
        raise err
    return _VERSIONS[value]


class SecureContext:
    """
    Node's ``tls.SecureContext`` (also what the legacy ``net.createCredentials``
    returns): keys, certificates, CA certificates and protocol settings,
    checked when it is made.

    ``context`` is the ``OpenSSL.SSL.Context`` clients use; servers build
    their own from the same material.
    """

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        opts = dict(options or {})
        #: The options it was made from (a copy of the dict given).
        self.options = opts
        # As Node, the passphrase is checked only when a key needs one.
        passphrase: Any = opts.get("passphrase")
        if opts.get("key") or opts.get("pfx"):
            passphrase = _passphraseBytes(passphrase, "options.passphrase")
        #: The CA certificates given (``None``: the system's trust store).
        self.ca: list[x509.Certificate] | None = None
        #: Chains (leaf first) of the certificates given, in order.
        self.chains: list[list[x509.Certificate]] = []
        #: The private keys given, in order.
        self.keys: list[Any] = []
        cas = _listOf(opts.get("ca"))
        if cas:
            self.ca = []
            for value in cas:
                data = _asBytes(value, "options.ca")
                try:
                    self.ca.extend(_certificates(data))
                except NodeError:
                    pass  # Node ignores text that holds no certificate
        for value in _listOf(opts.get("cert")):
            if value is None or value == "" or value == b"":
                continue
            self.chains.append(_certificates(_asBytes(value, "options.cert")))
        for value in _listOf(opts.get("key")):
            keyPass = passphrase
            if isinstance(value, dict):
                keyPass = _passphraseBytes(value.get("passphrase"), "options.passphrase") or passphrase
                value = value.get("pem")
            if value is None or value == "" or value == b"":
                continue
            key = _privateKey(_asBytes(value, "options.key"), keyPass)
            if self.chains and not any(
                chain[0].public_key() == key.public_key() for chain in self.chains
            ):
                raise _loadError("mismatch")
            self.keys.append(key)
        for value in _listOf(opts.get("pfx")):
            pfxPass = passphrase
            if isinstance(value, dict):
                pfxPass = _passphraseBytes(value.get("passphrase"), "options.passphrase") or passphrase
                value = value.get("buf")
            self._loadPfx(_asBytes(value, "options.pfx"), pfxPass)
        #: The lowest TLS version allowed (the ``minVersion`` option, else
        #: ``DEFAULT_MIN_VERSION``), as OpenSSL's number:
        #: ``OpenSSL.SSL.TLS1_2_VERSION`` for ``'TLSv1.2'``.
        self.minVersion = _version(opts.get("minVersion") or DEFAULT_MIN_VERSION, "minimum")
        #: The highest TLS version allowed (the ``maxVersion`` option, else
        #: ``DEFAULT_MAX_VERSION``), as OpenSSL's number.
        self.maxVersion = _version(opts.get("maxVersion") or DEFAULT_MAX_VERSION, "maximum")
        #: The ``ciphers`` option, else ``DEFAULT_CIPHERS``: an OpenSSL cipher
        #: list, in order of preference.
        self.ciphers: str = opts.get("ciphers") or DEFAULT_CIPHERS
        if not isinstance(self.ciphers, str):
            raise invalidArgType("options.ciphers", "string", self.ciphers)
        #: The ``honorCipherOrder`` option (default ``True``, as a Node
        #: ``tls.Server``'s): a server picks the cipher by its own order of
        #: preference rather than the client's.
        self.honorCipherOrder = bool(opts.get("honorCipherOrder", True))
        self._serverContext: SSL.Context | None = None
        # Settings OpenSSL rejects (a cipher list matching nothing) fail now.
        self._clientContext: SSL.Context | None = self._build(server=False)

    def _loadPfx(self, data: bytes, passphrase: bytes | None) -> None:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
        except ValueError as e:
            text = str(e).lower()
            message = "mac verify failure" if "password" in text or "mac" in text else "not enough data"
            raise NodeError(message) from None
        if cert is not None:
            self.chains.insert(0, [cert] + list(extra or []))
        if key is not None:
            self.keys.insert(0, key)

    @property
    def context(self) -> SSL.Context:
        """The ``OpenSSL.SSL.Context`` for client connections."""
        if self._clientContext is None:
            self._clientContext = self._build(server=False)
        return self._clientContext

    def serverContext(self) -> SSL.Context:
        """An ``OpenSSL.SSL.Context`` for server connections (no ALPN, no SNI)."""
        if self._serverContext is None:
            self._serverContext = self._build(server=True)
        return self._serverContext

    def trust(self) -> list[x509.Certificate]:
        """The CA certificates given (empty when the system's store is used)."""
        return list(self.ca or [])

    def ownCertificate(self) -> x509.Certificate | None:
        """The first certificate given, or ``None``."""
        return self.chains[0][0] if self.chains else None

    def _build(
        self,
        *,
        server: bool,
        configure: Callable[[SSL.Context], None] | None = None,
    ) -> SSL.Context:
        """A new, fully configured ``SSL.Context`` (never changed afterwards)."""
        ctx = SSL.Context(SSL.TLS_METHOD)
        ctx.set_min_proto_version(self.minVersion)
        ctx.set_max_proto_version(self.maxVersion)
        ciphers = self.ciphers.split(":")
        suites = [c for c in ciphers if c.startswith("TLS_")]
        rest = [c for c in ciphers if c and not c.startswith("TLS_")]
        try:
            if rest:
                ctx.set_cipher_list(":".join(rest).encode("ascii"))
            if suites:
                ctx.set_tls13_ciphersuites(":".join(suites).encode("ascii"))
        except SSL.Error:
            raise _loadError("noCipherMatch") from None
        options = SSL.OP_NO_COMPRESSION
        if server and self.honorCipherOrder:
            options |= SSL.OP_CIPHER_SERVER_PREFERENCE
        ctx.set_options(options)
        for chain in self.chains:
            ctx.use_certificate(chain[0])
            for extra in chain[1:]:
                ctx.add_extra_chain_cert(extra)
        for key in self.keys:
            ctx.use_privatekey(key)
        if self.ca is not None:
            store = ctx.get_cert_store()
            assert store is not None
            for cert in self.ca:
                try:
                    store.add_cert(crypto.X509.from_cryptography(cert))
                except crypto.Error:
                    pass  # the same certificate twice
        else:
            ctx.set_default_verify_paths()
        if server:
            ctx.set_session_id(b"nodenet")
        if configure is not None:
            configure(ctx)
        return ctx

    def __repr__(self) -> str:
        return f"<SecureContext certificates={len(self.chains)} keys={len(self.keys)}>"


def createSecureContext(options: dict[str, Any] | None = None, **kwargs: Any) -> SecureContext:
    """Node's ``tls.createSecureContext([options])`` (options as a dict or keywords)."""
    if options is not None and not isinstance(options, dict):
        raise invalidArgType("options", "object", options)
    merged = dict(options or {})
    merged.update(kwargs)
    return SecureContext(merged)


# ---------------------------------------------------------------------------
# Certificates as Node's plain objects

# OpenSSL's short names of the attributes found in distinguished names.
_SHORT_NAMES = {
    "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C",
    "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O",
    "2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.13": "description",
    "2.5.4.15": "businessCategory", "2.5.4.17": "postalCode", "2.5.4.41": "name",
    "2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.44": "generationQualifier",
    "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym", "2.5.4.97": "organizationIdentifier",
    "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
    "1.2.840.113549.1.9.1": "emailAddress", "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST", "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
}

# OpenSSL's long names of the access methods of an AuthorityInfoAccess.
_ACCESS_METHODS = {"1.3.6.1.5.5.7.48.1": "OCSP", "1.3.6.1.5.5.7.48.2": "CA Issuers"}

# Known otherName types, printed with a prefix.
_OTHER_NAMES = {"1.3.6.1.4.1.311.20.2.3": "UPN", "1.3.6.1.5.5.7.8.7": "SRVName"}

# cryptography's curve names -> OpenSSL's short name, and NIST's name.
_CURVES = {
    "secp256r1": ("prime256v1", "P-256"),
    "secp384r1": ("secp384r1", "P-384"),
    "secp521r1": ("secp521r1", "P-521"),
    "secp224r1": ("secp224r1", "P-224"),
    "secp192r1": ("prime192v1", "P-192"),
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _nameObject(name: x509.Name) -> dict[str, Any]:
    """``{'O': ..., 'CN': ...}``; an attribute given more than once is a list."""
    result: dict[str, Any] = {}
    for attribute in name:
        oid = attribute.oid.dotted_string
        key = _SHORT_NAMES.get(oid, oid)
        value = attribute.value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if key in result:
            existing = result[key]
            if isinstance(existing, list):
                existing.append(value)
            else:
                result[key] = [existing, value]
        else:
            result[key] = value
    return result


def _opensslTime(when: datetime.datetime) -> str:
    """OpenSSL's ``ASN1_TIME_print`` form: ``'Nov  5 03:04:05 2026 GMT'``."""
    return (
        f"{_MONTHS[when.month - 1]} {when.day:2d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {when.year} GMT"
    )


def _colonHex(data: bytes) -> str:
    return ":".join(f"{b:02X}" for b in data)


def _safe(text: str, utf8: bool) -> bool:
    for c in text:
        if c in "\"\\,'":
            return False
        o = ord(c)
        if o < 0x20 or o == 0x7F or (not utf8 and o > 0x7E):
            return False
    return True


def _printName(text: str, utf8: bool, prefix: str | None = None) -> str:
    """Node's escaping of one alternative name (JSON-quoted when unsafe)."""
    if _safe(text, utf8):
        return f"{prefix}:{text}" if prefix else text
    out = ['"']
    if prefix:
        out.append(f"{prefix}:")
    for c in text:
        o = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif (0x20 <= o <= 0x7E and c != ",") or (utf8 and o > 0x7F):
            out.append(c)
        else:
            for byte in c.encode("utf-8") if o > 0xFF else bytes([o]):
                out.append(f"\\u00{byte:02x}")
    out.append('"')
    return "".join(out)


def _ipText(address: Any) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        packed = address.packed
        return ":".join(f"{(packed[i] << 8) | packed[i + 1]:X}" for i in range(0, 16, 2))
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return "<invalid>"


def _generalName(name: x509.GeneralName) -> str | None:
    if isinstance(name, x509.DNSName):
        return "DNS:" + _printName(name.value, False)
    if isinstance(name, x509.RFC822Name):
        return "email:" + _printName(name.value, False)
    if isinstance(name, x509.UniformResourceIdentifier):
        return "URI:" + _printName(name.value, False)
    if isinstance(name, x509.IPAddress):
        return "IP Address:" + _ipText(name.value)
    if isinstance(name, x509.DirectoryName):
        return "DirName:" + _printName(name.value.rfc4514_string(), True)
    if isinstance(name, x509.RegisteredID):
        oid = name.value.dotted_string
        return "Registered ID:" + oid
    if isinstance(name, x509.OtherName):
        prefix = _OTHER_NAMES.get(name.type_id.dotted_string)
        value = name.value
        # A DER UTF8String / IA5String: tag, short length, text.
        if prefix and len(value) >= 2 and value[0] in (0x0C, 0x16) and value[1] == len(value) - 2:
            return "othername:" + _printName(value[2:].decode("utf-8", "replace"), True, prefix)
        return "othername:<unsupported>"
    return None


def _extension(cert: x509.Certificate, kind: Any) -> Any:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _isCA(cert: x509.Certificate) -> bool:
    constraints = _extension(cert, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        return False
    usage = _extension(cert, x509.KeyUsage)
    return usage is None or bool(usage.key_cert_sign)


def _serialHex(serial: int) -> str:
    text = format(serial, "X")
    return "0" + text if len(text) % 2 else text


def certificateObject(cert: x509.Certificate) -> dict[str, Any]:
    """One certificate as Node's ``getPeerCertificate()`` shows it (no issuer chain)."""
    info: dict[str, Any] = {
        "subject": _nameObject(cert.subject),
        "issuer": _nameObject(cert.issuer),
    }
    san = _extension(cert, x509.SubjectAlternativeName)
    if san is not None:
        parts = [p for p in (_generalName(n) for n in san) if p is not None]
        info["subjectaltname"] = ", ".join(parts)
    aia = _extension(cert, x509.AuthorityInformationAccess)
    if aia is not None:
        access: dict[str, list[str]] = {}
        for description in aia:
            method = _ACCESS_METHODS.get(
                description.access_method.dotted_string, description.access_method.dotted_string
            )
            text = _generalName(description.access_location)
            if text is None:
                continue
            kind, _, value = text.partition(":")
            if value.startswith('"'):
                value = json.loads(value)
            access.setdefault(f"{method} - {kind}", []).append(value)
        info["infoAccess"] = access
    info["ca"] = _isCA(cert)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        info["modulus"] = format(numbers.n, "X")
        info["bits"] = key.key_size
        info["exponent"] = "0x" + format(numbers.e, "x")
        info["pubkey"] = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    elif isinstance(key, ec.EllipticCurvePublicKey):
        info["bits"] = key.curve.key_size
        info["pubkey"] = key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        short, nist = _CURVES.get(key.curve.name, (key.curve.name, None))
        info["asn1Curve"] = short
        if nist is not None:
            info["nistCurve"] = nist
    info["valid_from"] = _opensslTime(cert.not_valid_before_utc)
    info["valid_to"] = _opensslTime(cert.not_valid_after_utc)
    info["fingerprint"] = _colonHex(cert.fingerprint(hashes.SHA1()))
    info["fingerprint256"] = _colonHex(cert.fingerprint(hashes.SHA256()))
    info["fingerprint512"] = _colonHex(cert.fingerprint(hashes.SHA512()))
    eku = _extension(cert, x509.ExtendedKeyUsage)
    if eku is not None:
        info["ext_key_usage"] = [oid.dotted_string for oid in eku]
    info["serialNumber"] = _serialHex(cert.serial_number)
    info["raw"] = cert.public_bytes(serialization.Encoding.DER)
    return info


def _issuedBy(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def issuerChain(
    chain: list[x509.Certificate], trust: Iterable[x509.Certificate]
) -> list[x509.Certificate]:
    """
    The peer's chain, leaf first, linked as Node links ``issuerCertificate``:
    each certificate is followed by its issuer (from what the peer sent,
    else from the CA certificates given), up to a self-signed one.
    """
    if not chain:
        return []
    pool = list(chain[1:]) + [c for c in trust if c not in chain]
    result = [chain[0]]
    while True:
        last = result[-1]
        if last.issuer == last.subject:
            break
        issuer = next((c for c in pool if c not in result and _issuedBy(last, c)), None)
        if issuer is None:
            break
        result.append(issuer)
    return result


def peerCertificate(chain: list[x509.Certificate], detailed: bool) -> dict[str, Any]:
    """Node's ``getPeerCertificate([detailed])`` for a linked chain (see :func:`issuerChain`)."""
    if not chain:
        return {}
    objects = [certificateObject(c) for c in chain]
    if detailed:
        for i, obj in enumerate(objects):
            cert = chain[i]
            if cert.issuer == cert.subject and _issuedBy(cert, cert):
                obj["issuerCertificate"] = obj
            elif i + 1 < len(objects):
                obj["issuerCertificate"] = objects[i + 1]
    return objects[0]


# ---------------------------------------------------------------------------
# Node's host name check


def _splitAltNames(text: str) -> list[str]:
    """Split Node's ``subjectaltname`` on ``', '``, honouring JSON-quoted names."""
    if '"' not in text:
        return text.split(", ")
    result: list[str] = []
    current = ""
    i = 0
    decoder = json.JSONDecoder()
    while i < len(text):
        comma = text.find(",", i)
        quote = text.find('"', i)
        if quote != -1 and (comma == -1 or quote < comma):
            current += text[i:quote]
            try:
                value, end = decoder.raw_decode(text, quote)
            except ValueError:
                err = NodeError(
                    "Invalid subject alternative name string", "ERR_TLS_CERT_ALTNAME_FORMAT"
                )
                raise err from None
            current += value
            i = end
        elif comma != -1:
            current += text[i:comma]
            result.append(current)
            current = ""
            i = comma + 2
        else:
            current += text[i:]
            i = len(text)
    result.append(current)
    return result


def _canonicalIP(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _unfqdn(host: str) -> str:
    return host[:-1] if host.endswith(".") else host


def _splitHost(host: str) -> list[str]:
    return _unfqdn(host).lower().split(".")


def _matches(hostParts: list[str], pattern: Any, wildcards: bool) -> bool:
    """Whether one name of the certificate matches the host (RFC 6125, as Node)."""
    if not pattern or not isinstance(pattern, str):
        return False
    patternParts = _splitHost(pattern)
    if len(hostParts) != len(patternParts) or "" in patternParts:
        return False
    if any(ord(c) < 0x21 or ord(c) > 0x7F for part in patternParts for c in part):
        return False
    for i in range(len(hostParts) - 1, 0, -1):
        if hostParts[i] != patternParts[i]:
            return False
    hostLabel, patternLabel = hostParts[0], patternParts[0]
    pieces = patternLabel.split("*")
    if len(pieces) == 1 or "xn--" in patternLabel:
        return hostLabel == patternLabel
    if not wildcards or len(pieces) > 2 or len(patternParts) <= 2:
        return False
    prefix, suffix = pieces
    if len(prefix) + len(suffix) > len(hostLabel):
        return False
    return hostLabel.startswith(prefix) and hostLabel.endswith(suffix)


def checkServerIdentity(hostname: Any, cert: dict[str, Any]) -> NodeError | None:
    """
    Node's ``tls.checkServerIdentity(hostname, cert)``: ``None`` when the
    certificate (a ``getPeerCertificate()`` object) is valid for the host,
    else an ``ERR_TLS_CERT_ALTNAME_INVALID`` error with Node's ``reason``.
    """
    subject = cert.get("subject") or {}
    altNames = cert.get("subjectaltname")
    dnsNames: list[str] = []
    ips: list[str] = []
    host = hostname if isinstance(hostname, str) else str(hostname)
    if altNames:
        for name in _splitAltNames(altNames):
            if name.startswith("DNS:"):
                dnsNames.append(name[4:])
            elif name.startswith("IP Address:"):
                ips.append(_canonicalIP(name[11:]))
    valid = False
    reason = "Unknown reason"
    host = _unfqdn(host)
    if isIP(host):
        valid = _canonicalIP(host) in ips
        if not valid:
            reason = f"IP: {host} is not in the cert's list: " + ", ".join(ips)
    elif dnsNames or subject.get("CN"):
        hostParts = _splitHost(host)
        if dnsNames:
            valid = any(_matches(hostParts, name, True) for name in dnsNames)
            if not valid:
                reason = f"Host: {host}. is not in the cert's altnames: {altNames}"
        else:
            cn = subject.get("CN")
            if isinstance(cn, list):
                valid = any(_matches(hostParts, name, True) for name in cn)
                shown = ",".join(cn)
            else:
                valid = _matches(hostParts, cn, True)
                shown = str(cn)
            if not valid:
                reason = f"Host: {host}. is not cert's CN: {shown}"
    else:
        reason = "Cert does not contain a DNS name"
    if valid:
        return None
    return altnameError(reason, host, cert)


# ---------------------------------------------------------------------------
# Cipher names

_KX = {"ECDHE": "ECDHE", "DHE": "DHE", "EDH": "DHE", "ECDH": "ECDH", "DH": "DH"}
_AUTH = {"RSA", "ECDSA", "DSS", "PSK"}


def standardCipherName(name: str | None) -> str | None:
    """The IANA name of an OpenSSL cipher name (``ECDHE-ECDSA-AES128-GCM-SHA256``)."""
    if not name or name.startswith("TLS_"):
        return name
    parts = name.split("-")
    kx = _KX.get(parts[0])
    if kx is not None:
        parts = parts[1:]
        auth = parts[0] if parts and parts[0] in _AUTH else "RSA"
        if parts and parts[0] in _AUTH:
            parts = parts[1:]
        head = f"TLS_{kx}_{auth}_WITH_"
    else:
        head = "TLS_RSA_WITH_"
    if not parts:
        return name
    cipher = parts[0]
    mode = "CBC"
    mac = "SHA"
    rest = parts[1:]
    if cipher == "CHACHA20" and rest[:1] == ["POLY1305"]:
        return head + "CHACHA20_POLY1305_SHA256"
    match = re.fullmatch(r"AES(128|256)", cipher)
    if match is None:
        return name
    if rest and rest[0] in ("GCM", "CCM"):
        mode = rest[0]
        rest = rest[1:]
    if rest:
        mac = rest[0]
    elif mode != "CBC":
        mac = "SHA256" if match.group(1) == "128" else "SHA384"
    return f"{head}AES_{match.group(1)}_{mode}_{mac}"


# ---------------------------------------------------------------------------
# One socket's TLS layer


@implementer(IOpenSSLServerConnectionCreator, IOpenSSLClientConnectionCreator)
class TLSSession:
    """
    One socket's TLS layer: builds its ``OpenSSL.SSL.Connection`` (for
    Twisted's ``startTLS``) and keeps what Node reports about it.
    """

    def __init__(
        self,
        context: SSL.Context,
        *,
        isServer: bool,
        requestCert: bool,
        rejectUnauthorized: bool = False,
        servername: str | None = None,
        alpn: list[bytes] | None = None,
        trust: Iterable[x509.Certificate] = (),
        own: x509.Certificate | None = None,
    ) -> None:
        self.context = context
        self.isServer = isServer
        self.requestCert = requestCert
        self.rejectUnauthorized = rejectUnauthorized
        self.servername = servername
        self.alpn = alpn
        self.trust = list(trust)
        self.own = own
        self.connection: SSL.Connection | None = None
        self.protocol: Any = None
        self.started = False
        self.handshakeDone = False
        self.verifyErrors: list[tuple[int, int]] = []
        self.chain: list[x509.Certificate] = []
        self.rawReason: Any = None
        self.tlsClosed = False
        self.closeTimer: Any = None
        self.aborted = False
        self.closed = False

    # IOpenSSLClientConnectionCreator / IOpenSSLServerConnectionCreator

    def _newConnection(self, tlsProtocol: Any) -> SSL.Connection:
        connection = SSL.Connection(self.context, None)
        if self.requestCert or not self.isServer:
            mode = SSL.VERIFY_PEER
            if self.isServer and self.rejectUnauthorized:
                mode |= SSL.VERIFY_FAIL_IF_NO_PEER_CERT
            connection.set_verify(mode, self._verify)
        if not self.isServer:
            if self.servername:
                connection.set_tlsext_host_name(self.servername.encode("idna"))
            if self.alpn:
                connection.set_alpn_protos(list(self.alpn))
        self.connection = connection
        return connection

    serverConnectionForTLS = _newConnection
    clientConnectionForTLS = _newConnection

    def _verify(self, connection: Any, cert: Any, errno: int, depth: int, ok: int) -> bool:
        """Record a verification error; never fail the handshake (as Node)."""
        if not ok:
            self.verifyErrors.append((depth, errno))
        return True

    # after the handshake

    def onHandshake(self) -> None:
        """The handshake completed: keep the peer's chain."""
        self.handshakeDone = True
        connection = self.connection
        if connection is None:
            return
        leaf = connection.get_peer_certificate(as_cryptography=True)
        if leaf is None:
            self.chain = []
            return
        chain = connection.get_verified_chain(as_cryptography=True) or []
        if not chain or chain[0] != leaf:
            sent = connection.get_peer_cert_chain(as_cryptography=True) or []
            chain = [leaf] + [c for c in sent if c != leaf]
        self.chain = issuerChain(chain, self.trust)

    def verifyError(self) -> NodeError | None:
        """The verification error Node reports (OpenSSL's last), or ``None``."""
        if self.verifyErrors:
            return verifyError(self.verifyErrors[-1][1])
        return None

    def peerCertificate(self, detailed: bool = False) -> dict[str, Any]:
        """Node's ``getPeerCertificate([detailed])``."""
        return peerCertificate(self.chain, detailed)

    def ownCertificate(self) -> dict[str, Any]:
        """Node's ``getCertificate()``."""
        return certificateObject(self.own) if self.own is not None else {}

    def protocolName(self) -> str | None:
        """``'TLSv1.3'``..."""
        connection = self.connection
        if connection is None:
            return None
        return connection.get_protocol_version_name()

    def cipher(self) -> dict[str, Any] | None:
        """``{'name', 'standardName', 'version'}`` once negotiated."""
        connection = self.connection
        if connection is None or not self.handshakeDone:
            return None
        name = connection.get_cipher_name()
        if name is None:
            return None
        return {
            "name": name,
            "standardName": standardCipherName(name),
            "version": connection.get_cipher_version(),
        }

    def negotiatedALPN(self) -> str | bool:
        """The ALPN protocol agreed on, or ``False``."""
        connection = self.connection
        if connection is None:
            return False
        chosen = connection.get_alpn_proto_negotiated()
        return chosen.decode("latin-1") if chosen else False

    def sniName(self) -> str | bool:
        """The SNI name of the connection, or ``False``."""
        if not self.isServer:
            return self.servername or False
        connection = self.connection
        name = connection.get_servername() if connection is not None else None
        return name.decode("latin-1") if name else False

    def cancelCloseTimer(self) -> None:
        """Forget the close_notify fallback timer."""
        timer, self.closeTimer = self.closeTimer, None
        if timer is not None and timer.active():
            timer.cancel()


def alpnList(value: Any, name: str = "options.ALPNProtocols") -> list[bytes] | None:
    """Node's ``ALPNProtocols`` (names, or the wire format) as a list of ``bytes``."""
    if value is None:
        return None
    if isinstance(value, _BYTES_TYPES):
        data = bytes(value)
        result = []
        while data:
            size = data[0]
            result.append(data[1 : size + 1])
            data = data[size + 1 :]
        return result
    if isinstance(value, (list, tuple)):
        result = []
        for item in value:
            if isinstance(item, str):
                result.append(item.encode("latin-1"))
            elif isinstance(item, _BYTES_TYPES):
                result.append(bytes(item))
            else:
                raise invalidArgType(name, ["Array", "Buffer", "TypedArray", "DataView"], value)
        return result
    raise invalidArgType(name, ["Array", "Buffer", "TypedArray", "DataView"], value)


def rejectUnauthorizedDefault() -> bool:
    """Node's default: ``True`` unless ``NODE_TLS_REJECT_UNAUTHORIZED=0``."""
    return os.environ.get("NODE_TLS_REJECT_UNAUTHORIZED") != "0"
