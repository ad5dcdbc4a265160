"""
Unit tests of nodenet's TLS building blocks, and the test certificates the
other TLS tests use.

Every certificate is made during the test run with ``cryptography`` (nothing
is committed): a CA, a server certificate for ``localhost``/``127.0.0.1``/
``::1``, a client certificate, a rogue CA with a client and a server
certificate of its own, an expired, a not-yet-valid, a wrong-host and a
self-signed certificate, an RSA server certificate, and a "fancy" one that
exercises every field of Node's certificate object (multi-valued subject,
escaped alternative names of every kind, authority information access,
extended key usage).  Expected values were measured with Node v20 on the
same kind of certificates; ``test_tls_node`` compares with Node directly.
"""

from __future__ import annotations

import datetime
import inspect
import ipaddress
import os
import tempfile
import threading
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
    ObjectIdentifier,
)
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet import _tls
from nodenet.errors import NodeError, NodeTypeError

_NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
_LOCAL_NAMES = [
    x509.DNSName("localhost"),
    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    x509.IPAddress(ipaddress.ip_address("::1")),
]


def _name(cn: str, org: str = "nodenet-test") -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )


class Pair:
    """A private key and its certificate, with their PEM forms."""

    def __init__(self, key: Any, cert: x509.Certificate) -> None:
        self.key = key
        self.cert = cert

    @property
    def keyPEM(self) -> bytes:
        """The key, PKCS#8 PEM."""
        return bytes(
            self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    @property
    def certPEM(self) -> bytes:
        """The certificate, PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)


class Certificates:
    """Every test certificate, made once per test run (see the module docstring)."""

    def __init__(self) -> None:
        self.ca = self._issue(_name("nodenet test CA"), ca=True)
        self.rogue = self._issue(_name("rogue CA"), ca=True)
        self.server = self._issue(
            _name("localhost"), self.ca, sans=_LOCAL_NAMES, eku=[ExtendedKeyUsageOID.SERVER_AUTH]
        )
        self.client = self._issue(_name("client"), self.ca, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        self.rogueclient = self._issue(_name("client"), self.rogue, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        self.rogueserver = self._issue(_name("localhost"), self.rogue, sans=_LOCAL_NAMES)
        self.expired = self._issue(
            _name("localhost"), self.ca, sans=_LOCAL_NAMES,
            before=_NOW - datetime.timedelta(days=60), after=_NOW - datetime.timedelta(days=30),
        )
        self.future = self._issue(
            _name("localhost"), self.ca, sans=_LOCAL_NAMES,
            before=_NOW + datetime.timedelta(days=10), after=_NOW + datetime.timedelta(days=20),
        )
        self.wrong = self._issue(_name("wrong.example"), self.ca, sans=[x509.DNSName("wrong.example")])
        self.self = self._issue(_name("localhost"), sans=_LOCAL_NAMES)
        self.rsa = self._issue(
            _name("localhost"), self.ca, sans=_LOCAL_NAMES,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )
        self.fancy = self._fancy()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._encryptedKey: bytes | None = None

    @staticmethod
    def _issue(
        subject: x509.Name,
        issuer: Pair | None = None,
        *,
        ca: bool = False,
        sans: list[x509.GeneralName] | None = None,
        eku: list[ObjectIdentifier] | None = None,
        before: datetime.datetime | None = None,
        after: datetime.datetime | None = None,
        key: Any = None,
    ) -> Pair:
        key = key or ec.generate_private_key(ec.SECP256R1())
        issuerName = issuer.cert.subject if issuer is not None else subject
        signer = issuer.key if issuer is not None else key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuerName)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(before or _NOW - datetime.timedelta(days=1))
            .not_valid_after(after or _NOW + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        return Pair(key, builder.sign(signer, hashes.SHA256()))

    @staticmethod
    def _fancy() -> Pair:
        key = ec.generate_private_key(ec.SECP384R1())
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Noord-Holland"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'Ex, "Quoted" Org'),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Unit A"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Unit B"),
            x509.NameAttribute(NameOID.COMMON_NAME, "fancy.example"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "me@example.org"),
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example"),
            x509.NameAttribute(ObjectIdentifier("1.2.3.4.5"), "custom"),
            x509.NameAttribute(NameOID.COMMON_NAME, "\u00fcmlaut.example"),
        ])
        when = datetime.datetime(2026, 11, 5, 3, 4, 5, tzinfo=datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(256)
            .not_valid_before(when)
            .not_valid_after(when + datetime.timedelta(days=36500))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("*.fancy.example"),
                x509.DNSName("a, b.example"),
                x509.RFC822Name('a"b@example.org'),
                x509.UniformResourceIdentifier("https://example.org/x,y"),
                x509.IPAddress(ipaddress.ip_address("fe80::abcd:1")),
                x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
                x509.DirectoryName(x509.Name([
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "dir"),
                ])),
                x509.RegisteredID(ObjectIdentifier("1.2.3.4")),
                x509.OtherName(ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), b"\x0c\x03abc"),
            ]), critical=False)
            .add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(
                    AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.example/")
                ),
                x509.AccessDescription(
                    AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier("http://ca.example/ca.crt"),
                ),
                x509.AccessDescription(
                    AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp2.example/")
                ),
            ]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([
                ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH, ObjectIdentifier("1.2.3.9"),
            ]), critical=False)
        )
        return Pair(key, builder.sign(key, hashes.SHA256()))

    def names(self) -> list[str]:
        """The name of every key and certificate pair."""
        return [
            "ca", "rogue", "server", "client", "rogueclient", "rogueserver", "expired",
            "future", "wrong", "self", "rsa", "fancy",
        ]

    def pair(self, name: str) -> Pair:
        """The pair called ``name``."""
        pair = getattr(self, name)
        assert isinstance(pair, Pair)
        return pair

    def encryptedServerKey(self) -> bytes:
        """
        The server key, PEM, encrypted with the passphrase ``secret`` (made once).

        Each encryption draws a random salt, and about one in 256 salts lets a
        wrong passphrase decrypt to valid padding; OpenSSL then fails later, in
        a way Node and nodenet name differently.  Salts are drawn until every
        wrong passphrase the tests use fails at the padding check, so the
        expected error is always ``bad decrypt``.
        """
        with _lock:
            if self._encryptedKey is None:
                # About one draw in a hundred is turned down; a hundred in a row
                # means OpenSSL names the failure differently now.
                for _ in range(100):
                    pem = bytes(self.server.key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.BestAvailableEncryption(b"secret"),
                    ))
                    if all(_failsAtPadding(pem, wrong) for wrong in _WRONG_PASSPHRASES):
                        break
                else:
                    raise RuntimeError("no encrypted key whose wrong passphrases fail at the padding check")
                self._encryptedKey = pem
            return self._encryptedKey

    def serverPfx(self) -> bytes:
        """The server key and certificate (and the CA) as PKCS#12."""
        return pkcs12.serialize_key_and_certificates(
            b"server", self.server.key, self.server.cert, [self.ca.cert],
            serialization.BestAvailableEncryption(b"secret"),
        )

    def directory(self) -> str:
        """A directory with every pair as ``NAME-key.pem``/``NAME-cert.pem`` (made once)."""
        with _lock:  # once, even when threads ask at the same time
            return self._directory()

    def _directory(self) -> str:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="nodenet-tls-")
            for name in self.names():
                pair = self.pair(name)
                for suffix, data in (("key", pair.keyPEM), ("cert", pair.certPEM)):
                    with open(os.path.join(self._dir.name, f"{name}-{suffix}.pem"), "wb") as f:
                        f.write(data)
            with open(os.path.join(self._dir.name, "server-key-enc.pem"), "wb") as f:
                f.write(self.encryptedServerKey())
            with open(os.path.join(self._dir.name, "server.pfx"), "wb") as f:
                f.write(self.serverPfx())
        return self._dir.name


_certificates: Certificates | None = None

# The wrong passphrases the tests try on the encrypted key (here and in test_tls_node).
_WRONG_PASSPHRASES = (b"", b"nope", b"wrong")


def _failsAtPadding(pem: bytes, passphrase: bytes) -> bool:
    """Whether OpenSSL rejects ``passphrase`` for ``pem`` at the cipher's final block."""
    from OpenSSL import crypto

    try:
        crypto.load_privatekey(crypto.FILETYPE_PEM, pem, passphrase)
    except crypto.Error as e:
        return any("cipherfinal" in reason or "bad decrypt" in reason for _, _, reason in e.args[0])
    return False


_lock = threading.RLock()


def certificates() -> Certificates:
    """The test certificates of this run."""
    global _certificates
    with _lock:
        if _certificates is None:
            _certificates = Certificates()
        return _certificates


def nodeError(error: BaseException) -> dict[str, Any]:
    """The Node-visible fields of an error."""
    info: dict[str, Any] = {"name": getattr(error, "name", None), "code": getattr(error, "code", None)}
    info["message"] = str(error)
    for key in ("library", "reason"):
        if getattr(error, key, None) is not None:
            info[key] = getattr(error, key)
    return info


class CredentialsTests(SynchronousTestCase):
    """``net.createCredentials`` / ``tls.createSecureContext`` raise Node's errors at once."""

    def setUp(self) -> None:
        self.certs = certificates()

    def test_goodCredentials(self) -> None:
        """Key, certificate and CA as PEM ``bytes`` or ``str``, a dict or keywords."""
        s = self.certs.server
        byDict = net.createCredentials({"key": s.keyPEM, "cert": s.certPEM, "ca": self.certs.ca.certPEM})
        byKeywords = net.createCredentials(
            key=s.keyPEM.decode(), cert=s.certPEM.decode(), ca=[self.certs.ca.certPEM]
        )
        for creds in (byDict, byKeywords):
            self.assertEqual([self.certs.ca.cert], creds.trust())
            self.assertEqual(s.cert, creds.ownCertificate())

    def test_badKey(self) -> None:
        """Text that is no PEM key: Node's ``ERR_OSSL_UNSUPPORTED``."""
        err = self.assertRaises(NodeError, net.createCredentials, key="garbage", cert=self.certs.server.certPEM)
        self.assertEqual(
            {"name": "Error", "code": "ERR_OSSL_UNSUPPORTED",
             "message": "error:1E08010C:DECODER routines::unsupported",
             "library": "DECODER routines", "reason": "unsupported"},
            nodeError(err),
        )

    def test_badCertificate(self) -> None:
        """Text without a PEM certificate: Node's ``ERR_OSSL_PEM_NO_START_LINE``."""
        err = self.assertRaises(NodeError, net.createCredentials, key=self.certs.server.keyPEM, cert="garbage")
        self.assertEqual(
            {"name": "Error", "code": "ERR_OSSL_PEM_NO_START_LINE",
             "message": "error:0480006C:PEM routines::no start line",
             "library": "PEM routines", "reason": "no start line"},
            nodeError(err),
        )

    def test_keyMismatch(self) -> None:
        """A key that is not the certificate's: Node's ``ERR_OSSL_X509_KEY_VALUES_MISMATCH``."""
        err = self.assertRaises(
            NodeError, net.createCredentials, key=self.certs.client.keyPEM, cert=self.certs.server.certPEM
        )
        self.assertEqual("ERR_OSSL_X509_KEY_VALUES_MISMATCH", err.code)
        self.assertEqual("error:05800074:x509 certificate routines::key values mismatch", str(err))

    def test_passphrase(self) -> None:
        """An encrypted key needs its passphrase: none or a wrong one is ``ERR_OSSL_BAD_DECRYPT``."""
        encrypted = self.certs.encryptedServerKey()
        cert = self.certs.server.certPEM
        for passphrase in (None, "wrong"):
            err = self.assertRaises(
                NodeError, net.createCredentials, key=encrypted, cert=cert, passphrase=passphrase
            )
            self.assertEqual(
                ("ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt"),
                (err.code, str(err)),
            )
        creds = net.createCredentials(key=encrypted, cert=cert, passphrase="secret")
        self.assertEqual(self.certs.server.cert, creds.ownCertificate())

    def test_pfx(self) -> None:
        """A PKCS#12 bundle with its passphrase; a wrong one is Node's "mac verify failure"."""
        creds = net.createCredentials(pfx=self.certs.serverPfx(), passphrase="secret")
        self.assertEqual(self.certs.server.cert, creds.ownCertificate())
        err = self.assertRaises(NodeError, net.createCredentials, pfx=self.certs.serverPfx(), passphrase="x")
        self.assertEqual((None, "mac verify failure"), (err.code, str(err)))

    def test_caGarbageIgnored(self) -> None:
        """As Node, text without a certificate in ``ca`` is ignored."""
        creds = net.createCredentials(ca=["garbage", self.certs.ca.certPEM])
        self.assertEqual([self.certs.ca.cert], creds.trust())

    def test_wrongTypes(self) -> None:
        """Keys, certificates and passphrases of the wrong type: Node's ``ERR_INVALID_ARG_TYPE``."""
        cases = [
            ({"key": 5}, 'The "options.key" property must be of type string or an instance of '
                         "Buffer, TypedArray, or DataView. Received type number (5)"),
            ({"cert": 5}, 'The "options.cert" property must be of type string or an instance of '
                          "Buffer, TypedArray, or DataView. Received type number (5)"),
            ({"ca": 5}, 'The "options.ca" property must be of type string or an instance of '
                        "Buffer, TypedArray, or DataView. Received type number (5)"),
            ({"key": self.certs.server.keyPEM, "passphrase": 5},
             'The "options.passphrase" property must be of type string. Received type number (5)'),
        ]
        for options, message in cases:
            err = self.assertRaises(NodeTypeError, net.createCredentials, options)
            self.assertEqual(("ERR_INVALID_ARG_TYPE", message), (err.code, str(err)))

    def test_protocolVersions(self) -> None:
        """Unknown ``minVersion``/``maxVersion``: Node's ``ERR_TLS_INVALID_PROTOCOL_VERSION``."""
        err = self.assertRaises(NodeTypeError, _tls.createSecureContext, minVersion="TLSv1.9")
        self.assertEqual(
            ("ERR_TLS_INVALID_PROTOCOL_VERSION", '"TLSv1.9" is not a valid minimum TLS protocol version'),
            (err.code, str(err)),
        )
        err = self.assertRaises(NodeTypeError, _tls.createSecureContext, maxVersion="foo")
        self.assertEqual('"foo" is not a valid maximum TLS protocol version', str(err))

    def test_ciphers(self) -> None:
        """A cipher list that matches nothing: Node's ``ERR_SSL_NO_CIPHER_MATCH``."""
        err = self.assertRaises(NodeError, _tls.createSecureContext, ciphers="nonsense")
        self.assertEqual("ERR_SSL_NO_CIPHER_MATCH", err.code)


class CertificateObjectTests(SynchronousTestCase):
    """Certificates as Node's plain objects."""

    def setUp(self) -> None:
        self.certs = certificates()

    def test_serverCertificate(self) -> None:
        """Every field of an EC server certificate, as Node shows it."""
        cert = self.certs.server.cert
        obj = _tls.certificateObject(cert)
        self.assertEqual(
            ["subject", "issuer", "subjectaltname", "ca", "bits", "pubkey", "asn1Curve", "nistCurve",
             "valid_from", "valid_to", "fingerprint", "fingerprint256", "fingerprint512",
             "ext_key_usage", "serialNumber", "raw"],
            list(obj),
        )
        self.assertEqual({"O": "nodenet-test", "CN": "localhost"}, obj["subject"])
        self.assertEqual({"O": "nodenet-test", "CN": "nodenet test CA"}, obj["issuer"])
        self.assertEqual(
            "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", obj["subjectaltname"]
        )
        self.assertEqual((False, 256, "prime256v1", "P-256"),
                         (obj["ca"], obj["bits"], obj["asn1Curve"], obj["nistCurve"]))
        sha1 = cert.fingerprint(hashes.SHA1())
        self.assertEqual(":".join(f"{b:02X}" for b in sha1), obj["fingerprint"])
        self.assertEqual(95, len(obj["fingerprint256"]))
        self.assertEqual(["1.3.6.1.5.5.7.3.1"], obj["ext_key_usage"])
        self.assertEqual(cert.public_bytes(serialization.Encoding.DER), obj["raw"])
        self.assertEqual(0, len(obj["serialNumber"]) % 2)
        self.assertEqual(cert.serial_number, int(obj["serialNumber"], 16))
        before = cert.not_valid_before_utc
        self.assertEqual(
            f"{before:%b} {before.day:2d} {before:%H:%M:%S %Y} GMT", obj["valid_from"]
        )

    def test_fancyCertificate(self) -> None:
        """Multi-valued names, escaped alternative names of every kind, info access."""
        obj = _tls.certificateObject(self.certs.fancy.cert)
        self.assertEqual(
            {"C": "NL", "ST": "Noord-Holland", "O": 'Ex, "Quoted" Org', "OU": ["Unit A", "Unit B"],
             "CN": ["fancy.example", "\u00fcmlaut.example"], "emailAddress": "me@example.org",
             "DC": "example", "1.2.3.4.5": "custom"},
            obj["subject"],
        )
        self.assertEqual(
            'DNS:*.fancy.example, DNS:"a\\u002c b.example", email:"a\\"b@example.org", '
            'URI:"https://example.org/x\\u002cy", IP Address:FE80:0:0:0:0:0:ABCD:1, '
            'IP Address:10.0.0.1, DirName:"CN=dir\\u002cC=NL", Registered ID:1.2.3.4, othername:UPN:abc',
            obj["subjectaltname"],
        )
        self.assertEqual(
            {"OCSP - URI": ["http://ocsp.example/", "http://ocsp2.example/"],
             "CA Issuers - URI": ["http://ca.example/ca.crt"]},
            obj["infoAccess"],
        )
        self.assertEqual(("Nov  5 03:04:05 2026 GMT", "0100"), (obj["valid_from"], obj["serialNumber"]))
        self.assertEqual((384, "secp384r1", "P-384"), (obj["bits"], obj["asn1Curve"], obj["nistCurve"]))

    def test_rsaCertificate(self) -> None:
        """An RSA key: ``modulus``, ``bits``, ``exponent``, and the DER public key."""
        obj = _tls.certificateObject(self.certs.rsa.cert)
        numbers = self.certs.rsa.key.public_key().public_numbers()
        self.assertEqual(
            (format(numbers.n, "X"), 2048, "0x10001"), (obj["modulus"], obj["bits"], obj["exponent"])
        )
        self.assertNotIn("asn1Curve", obj)

    def test_detailedChain(self) -> None:
        """``issuerCertificate`` links to the issuer, and a root to itself."""
        chain = _tls.issuerChain([self.certs.server.cert], [self.certs.ca.cert, self.certs.rogue.cert])
        self.assertEqual([self.certs.server.cert, self.certs.ca.cert], chain)
        obj = _tls.peerCertificate(chain, True)
        issuer = obj["issuerCertificate"]
        self.assertEqual({"O": "nodenet-test", "CN": "nodenet test CA"}, issuer["subject"])
        self.assertIs(issuer, issuer["issuerCertificate"])
        self.assertNotIn("issuerCertificate", _tls.peerCertificate(chain, False))
        unknown = _tls.issuerChain([self.certs.rogueserver.cert], [self.certs.ca.cert])
        self.assertNotIn("issuerCertificate", _tls.peerCertificate(unknown, True))
        self.assertEqual({}, _tls.peerCertificate([], True))


class CheckServerIdentityTests(SynchronousTestCase):
    """``tls.checkServerIdentity`` as Node's (``test_tls_node`` compares a corpus with Node)."""

    def test_matches(self) -> None:
        """Names, wildcards, IP addresses in any form, a trailing dot, and the CN."""
        server = {"subject": {"CN": "localhost"},
                  "subjectaltname": "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"}
        wildcard = {"subject": {}, "subjectaltname": "DNS:*.example.org"}
        cnOnly = {"subject": {"CN": "Host.Example"}}
        for host, cert in [("localhost", server), ("LOCALHOST.", server), ("127.0.0.1", server),
                           ("::1", server), ("a.example.org", wildcard), ("host.example", cnOnly)]:
            self.assertIsNone(_tls.checkServerIdentity(host, cert), host)

    def test_mismatches(self) -> None:
        """Node's reasons, with ``host`` and ``cert`` on the error."""
        server = {"subject": {"CN": "localhost"},
                  "subjectaltname": "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"}
        cases = [
            ("foo.example", server, "Host: foo.example. is not in the cert's altnames: "
             "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"),
            ("::2", server, "IP: ::2 is not in the cert's list: 127.0.0.1, ::1"),
            ("example.org", {"subject": {}, "subjectaltname": "DNS:*.example.org"},
             "Host: example.org. is not in the cert's altnames: DNS:*.example.org"),
            ("a.b.example", {"subject": {"CN": "*.example"}}, "Host: a.b.example. is not cert's CN: *.example"),
            ("x.example", {"subject": {}}, "Cert does not contain a DNS name"),
        ]
        for host, cert, reason in cases:
            err = _tls.checkServerIdentity(host, cert)
            assert err is not None
            self.assertEqual(
                ("ERR_TLS_CERT_ALTNAME_INVALID", f"Hostname/IP does not match certificate's altnames: {reason}",
                 reason, host.rstrip("."), cert),
                (err.code, str(err), getattr(err, "reason", None), getattr(err, "host", None),
                 getattr(err, "cert", None)),
            )


class CipherNameTests(SynchronousTestCase):
    """OpenSSL's cipher names as IANA's (Node's ``getCipher().standardName``)."""

    def test_names(self) -> None:
        """The TLS 1.2 suites of Node's default list, and TLS 1.3's unchanged."""
        cases = {
            "TLS_AES_256_GCM_SHA384": "TLS_AES_256_GCM_SHA384",
            "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
        }
        self.assertEqual(cases, {name: _tls.standardCipherName(name) for name in cases})


class SurfaceTests(SynchronousTestCase):
    """``nodenet.tls``'s public names exist and are documented; the legacy names are in ``nodenet``."""

    def test_tlsModule(self) -> None:
        """Everything in ``__all__`` exists and has a docstring, methods included."""
        from nodenet import tls

        self.assertIs(net.tls, tls)
        missing = []
        for name in tls.__all__:
            obj = getattr(tls, name)
            if (inspect.isclass(obj) or callable(obj)) and not inspect.getdoc(obj):
                missing.append(name)
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if not attr.startswith("_") and (
                        inspect.isfunction(value) or isinstance(value, property)
                    ) and not inspect.getdoc(value):
                        missing.append(f"{name}.{attr}")
        self.assertEqual([], missing)

    def test_legacyNames(self) -> None:
        """``createCredentials`` is in ``nodenet``; sockets have the legacy TLS methods."""
        self.assertIn("createCredentials", net.__all__)
        for name in ("setSecure", "verifyPeer", "getPeerCertificate"):
            self.assertTrue(inspect.getdoc(getattr(net.Socket, name)), name)

    def test_plainSocketHasNoPeerCertificate(self) -> None:
        """Without TLS ``getPeerCertificate()`` is ``None`` and ``verifyPeer()`` ``False``."""
        from twisted.internet.task import Clock

        socket = net.Socket(reactor=Clock())
        self.assertEqual((None, False), (socket.getPeerCertificate(), socket.verifyPeer()))
