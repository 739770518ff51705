// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The crypto primitives against published known answers, and their failure
// behaviour: AEAD (RFC 8439, GCM spec), SHA-256 (FIPS 180-2, sha256sum),
// HKDF (RFC 5869), scrypt (RFC 7914), the key derivations and the key id.

#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/masterkeymanager.h"
#include "crypto/secure.h"
#include "crypto/sha256.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <numeric>

using namespace flowgate;

namespace {

Bytes fromHex(const char *hex)
{
    // QByteArray::fromHex skips spaces, so vectors can be written as printed.
    const QByteArray bytes = QByteArray::fromHex(QByteArray(hex));
    return Bytes(bytes.begin(), bytes.end());
}

Bytes fromText(const char *text)
{
    return Bytes(text, text + std::strlen(text));
}

// An independent hex printer (Qt's), to check results without our toHex().
QString hexOf(std::span<const std::uint8_t> bytes)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())).toHex());
}

AeadNonce nonceFrom(const Bytes &bytes)
{
    AeadNonce nonce{};
    std::memcpy(nonce.data(), bytes.data(), nonce.size());
    return nonce;
}

Bytes patterned(std::size_t size, quint32 seed)
{
    Bytes data(size);
    QRandomGenerator gen(seed);
    for (auto &b : data)
        b = std::uint8_t(gen.generate());
    return data;
}

} // namespace

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // identifiers
    void cipherIdsAreStable();
    void cipherNamesAndParsing();
    void counterNonceLayout();

    // secure buffers and randomness
    void secureBytesMoveAndClone();
    void randomBytesAreRandom();
    void hexIsLowercase();

    // AEAD
    void chacha20Poly1305Rfc8439();
    void aes256GcmTestCase16();
    void roundTrip_data();
    void roundTrip();
    void inPlaceSealAndOpen_data();
    void inPlaceSealAndOpen();
    void tampering_data();
    void tampering();
    void rekeyingAndDirectionChanges();
    void misuseIsRejected();

    // SHA-256
    void sha256Fips180Vectors();
    void sha256MillionA();
    void sha256MatchesSha256sum();
    void sha256IsReusableAfterFinish();

    // KDFs
    void hkdfRfc5869();
    void scryptRfc7914_data();
    void scryptRfc7914();
    void scryptDefaultCost();
    void scryptParamsBounds();
    void fileKeyDerivation();
    void passphraseKeyDerivation();

    // key id
    void keyIdFormat();
};

// ---------------------------------------------------------------- identifiers

void TestCrypto::cipherIdsAreStable()
{
    // Stored in files: these numbers must never change.
    static_assert(quint8(CipherId::None) == 0);
    static_assert(quint8(CipherId::ChaCha20Poly1305) == 1);
    static_assert(quint8(CipherId::Aes256Gcm) == 2);
    QCOMPARE(cipherFromByte(0), std::optional<CipherId>(CipherId::None));
    QCOMPARE(cipherFromByte(1), std::optional<CipherId>(CipherId::ChaCha20Poly1305));
    QCOMPARE(cipherFromByte(2), std::optional<CipherId>(CipherId::Aes256Gcm));
    QVERIFY(!cipherFromByte(3));
    QVERIFY(!cipherFromByte(255));
}

void TestCrypto::cipherNamesAndParsing()
{
    QCOMPARE(cipherName(CipherId::ChaCha20Poly1305), QStringLiteral("chacha20"));
    QCOMPARE(cipherName(CipherId::Aes256Gcm), QStringLiteral("aes256gcm"));
    QCOMPARE(cipherName(CipherId::None), QStringLiteral("none"));
    for (CipherId id : {CipherId::None, CipherId::ChaCha20Poly1305, CipherId::Aes256Gcm})
        QCOMPARE(parseCipher(cipherName(id)), std::optional<CipherId>(id));
    QCOMPARE(parseCipher(u"chacha20-poly1305"), std::optional<CipherId>(CipherId::ChaCha20Poly1305));
    QCOMPARE(parseCipher(u"ChaCha20-Poly1305"), std::optional<CipherId>(CipherId::ChaCha20Poly1305));
    QCOMPARE(parseCipher(u"aes-256-gcm"), std::optional<CipherId>(CipherId::Aes256Gcm));
    QCOMPARE(parseCipher(u"AES256GCM"), std::optional<CipherId>(CipherId::Aes256Gcm));
    QCOMPARE(parseCipher(u" none "), std::optional<CipherId>(CipherId::None));
    QVERIFY(!parseCipher(u"aes128gcm"));
    QVERIFY(!parseCipher(u""));
    QVERIFY(!parseCipher(u"xchacha20"));
}

void TestCrypto::counterNonceLayout()
{
    QCOMPARE(hexOf(counterNonce(0)), QStringLiteral("000000000000000000000000"));
    QCOMPARE(hexOf(counterNonce(1)), QStringLiteral("000000000000000000000001"));
    QCOMPARE(hexOf(counterNonce(0x0102030405060708ULL)), QStringLiteral("000000000102030405060708"));
    QVERIFY(counterNonce(7) != counterNonce(8));
}

// ---------------------------------------------------- secure buffers, random

void TestCrypto::secureBytesMoveAndClone()
{
    const Bytes raw = fromHex("00112233445566778899aabbccddeeff");
    SecureBytes a{std::span<const std::uint8_t>(raw)};
    QCOMPARE(a.size(), raw.size());
    QVERIFY(a.equals(raw));

    SecureBytes b = std::move(a);
    QVERIFY(a.isEmpty()); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    QCOMPARE(a.size(), std::size_t(0));
    QVERIFY(b.equals(raw));

    SecureBytes c = b.clone();
    QVERIFY(c.equals(b));
    QVERIFY(c.data() != b.data());
    c.data()[0] ^= 1;
    QVERIFY(!c.equals(b));
    QVERIFY(!c.equals(std::span<const std::uint8_t>(raw).first(4)));

    SecureBytes zeros(8);
    QVERIFY(zeros.equals(Bytes(8, 0)));
    zeros.clear();
    QVERIFY(zeros.isEmpty());

    QCOMPARE(b.toByteArray(), QByteArray(reinterpret_cast<const char *>(raw.data()), qsizetype(raw.size())));
}

void TestCrypto::randomBytesAreRandom()
{
    const auto empty = randomBytes(0);
    QVERIFY(empty);
    QVERIFY(empty->empty());

    const auto a = randomBytes(32);
    const auto b = randomBytes(32);
    QVERIFY(a && b);
    QCOMPARE(a->size(), std::size_t(32));
    QVERIFY(*a != *b);
    QVERIFY(*a != Bytes(32, 0));

    const auto key = randomSecret(32);
    QVERIFY(key);
    QCOMPARE(key->size(), std::size_t(32));
    QVERIFY(!key->equals(Bytes(32, 0)));
}

void TestCrypto::hexIsLowercase()
{
    const Bytes bytes = fromHex("00 0a ff 7f 80 AB");
    QCOMPARE(toHex(bytes), QStringLiteral("000aff7f80ab"));
    QCOMPARE(toHex({}), QString());
}

// ------------------------------------------------------------------- AEAD

void TestCrypto::chacha20Poly1305Rfc8439()
{
    // RFC 8439, section 2.8.2, "Example and Test Vector for
    // AEAD_CHACHA20_POLY1305".
    const Bytes key = fromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const Bytes nonce = fromHex("070000004041424344454647");
    const Bytes aad = fromHex("50515253c0c1c2c3c4c5c6c7");
    const Bytes plaintext = fromText("Ladies and Gentlemen of the class of '99: If I could offer you "
                                     "only one tip for the future, sunscreen would be it.");
    const Bytes ciphertext = fromHex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                                     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                                     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                                     "3ff4def08e4b7a9de576d26586cec64b6116");
    const Bytes tag = fromHex("1ae10b594f09e26a7e902ecbd0600691");
    QCOMPARE(plaintext.size(), std::size_t(114));

    Aead aead(CipherId::ChaCha20Poly1305);
    QVERIFY2(aead.isValid(), qPrintable(aead.errorString()));
    QVERIFY(aead.setKey(key));
    Bytes sealed;
    QVERIFY(aead.seal(nonceFrom(nonce), aad, plaintext, sealed));
    Bytes expected = ciphertext;
    expected.insert(expected.end(), tag.begin(), tag.end());
    QCOMPARE(hexOf(sealed), hexOf(expected));

    Bytes opened;
    QVERIFY2(aead.open(nonceFrom(nonce), aad, expected, opened), qPrintable(aead.errorString()));
    QVERIFY(opened == plaintext);
}

void TestCrypto::aes256GcmTestCase16()
{
    // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B,
    // Test Case 16 (256-bit key, 96-bit IV, 20 bytes AAD, 60 bytes plaintext);
    // the same vectors NIST SP 800-38D's validation uses.
    const Bytes key = fromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const Bytes aad = fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const Bytes plaintext = fromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    const Bytes ciphertext = fromHex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                                     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
    const Bytes tag = fromHex("76fc6ece0f4e1768cddf8853bb2d551b");

    Aead aead(CipherId::Aes256Gcm);
    QVERIFY2(aead.isValid(), qPrintable(aead.errorString()));
    QVERIFY(aead.setKey(key));
    Bytes sealed;
    QVERIFY(aead.seal(nonceFrom(iv), aad, plaintext.data(), plaintext.size(), sealed));
    Bytes expected = ciphertext;
    expected.insert(expected.end(), tag.begin(), tag.end());
    QCOMPARE(hexOf(sealed), hexOf(expected));

    Bytes opened;
    QVERIFY2(aead.open(nonceFrom(iv), aad, expected, opened), qPrintable(aead.errorString()));
    QVERIFY(opened == plaintext);
}

void TestCrypto::roundTrip_data()
{
    QTest::addColumn<CipherId>("cipher");
    QTest::addColumn<qint64>("size");
    for (CipherId cipher : {CipherId::ChaCha20Poly1305, CipherId::Aes256Gcm}) {
        for (qint64 size : {qint64(0), qint64(1), qint64(64 * 1024), qint64(1024 * 1024 + 1)}) {
            QTest::addRow("%s/%lld", qPrintable(cipherName(cipher)), size) << cipher << size;
        }
    }
}

void TestCrypto::roundTrip()
{
    QFETCH(CipherId, cipher);
    QFETCH(qint64, size);
    const Bytes plaintext = patterned(std::size_t(size), quint32(size) + 17);
    const auto key = randomSecret(kAeadKeySize);
    const auto nonceBytes = randomBytes(kAeadNonceSize);
    QVERIFY(key && nonceBytes);
    const AeadNonce nonce = nonceFrom(*nonceBytes);
    const Bytes aad = fromText("header|chunk 7|last");

    Aead sealer(cipher);
    QVERIFY(sealer.setKey(*key));
    Bytes out = fromText("prefix"); // seal appends
    QVERIFY(sealer.seal(nonce, aad, plaintext, out));
    QCOMPARE(out.size(), 6 + plaintext.size() + kAeadTagSize);
    if (size > 64)
        QVERIFY(!std::equal(plaintext.begin(), plaintext.begin() + 64, out.begin() + 6));

    Aead opener(cipher);
    QVERIFY(opener.setKey(*key));
    Bytes back = fromText("x"); // open appends too
    QVERIFY2(
        opener.open(nonce, aad, std::span<const std::uint8_t>(out).subspan(6), back), qPrintable(opener.errorString()));
    QCOMPARE(back.size(), 1 + plaintext.size());
    QVERIFY(std::equal(plaintext.begin(), plaintext.end(), back.begin() + 1));
}

void TestCrypto::inPlaceSealAndOpen_data()
{
    QTest::addColumn<CipherId>("cipher");
    QTest::newRow("chacha20") << CipherId::ChaCha20Poly1305;
    QTest::newRow("aes256gcm") << CipherId::Aes256Gcm;
}

void TestCrypto::inPlaceSealAndOpen()
{
    QFETCH(CipherId, cipher);
    const Bytes plaintext = patterned(100000, 5);
    const Bytes key = patterned(32, 6);
    const AeadNonce nonce = counterNonce(42);
    const Bytes aad = fromText("aad");
    Aead aead(cipher);
    QVERIFY(aead.setKey(key));

    Bytes expected;
    QVERIFY(aead.seal(nonce, aad, plaintext, expected));

    // The pipeline's zero-copy path: plaintext, then room for the tag.
    Bytes buffer = plaintext;
    buffer.resize(plaintext.size() + kAeadTagSize);
    QVERIFY(aead.sealTo(nonce, aad, std::span<const std::uint8_t>(buffer).first(plaintext.size()), buffer));
    QVERIFY(buffer == expected);
    QVERIFY(aead.openTo(nonce, aad, buffer, std::span<std::uint8_t>(buffer).first(plaintext.size())));
    QVERIFY(std::equal(plaintext.begin(), plaintext.end(), buffer.begin()));

    // Wrong sizes are refused, not overrun.
    Bytes small(plaintext.size());
    QVERIFY(!aead.sealTo(nonce, aad, plaintext, small));
    QVERIFY(!aead.openTo(nonce, aad, expected, std::span<std::uint8_t>(small).first(10)));

    // seal() with the plaintext inside the output vector itself.
    Bytes self = plaintext;
    QVERIFY(aead.seal(nonce, aad, self, self));
    QCOMPARE(self.size(), 2 * plaintext.size() + kAeadTagSize);
    QVERIFY(std::equal(expected.begin(), expected.end(), self.begin() + std::ptrdiff_t(plaintext.size())));
}

void TestCrypto::tampering_data()
{
    QTest::addColumn<CipherId>("cipher");
    QTest::newRow("chacha20") << CipherId::ChaCha20Poly1305;
    QTest::newRow("aes256gcm") << CipherId::Aes256Gcm;
}

void TestCrypto::tampering()
{
    QFETCH(CipherId, cipher);
    const Bytes key = patterned(32, 1);
    const Bytes plaintext = fromText("a small secret message, 40 bytes long..");
    const Bytes aad = fromText("container header + chunk index 3 + last=0");
    const AeadNonce nonce = counterNonce(3);

    Aead aead(cipher);
    QVERIFY(aead.setKey(key));
    Bytes sealed;
    QVERIFY(aead.seal(nonce, aad, plaintext, sealed));

    const Bytes marker = fromText("untouched");
    const auto rejects = [&](const AeadNonce &n, const Bytes &a, std::span<const std::uint8_t> msg) {
        Bytes out = marker;
        const bool opened = aead.open(n, a, msg, out);
        return !opened && out == marker; // and nothing unverified appended
    };

    // The untampered message opens.
    {
        Bytes out;
        QVERIFY(aead.open(nonce, aad, sealed, out));
        QVERIFY(out == plaintext);
    }
    // Every single bit flip, in ciphertext and tag, is caught (each byte, two bits).
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        for (std::uint8_t bit : {std::uint8_t(0x01), std::uint8_t(0x80)}) {
            Bytes bad = sealed;
            bad[i] ^= bit;
            QVERIFY2(rejects(nonce, aad, bad), qPrintable(QStringLiteral("byte %1").arg(i)));
        }
    }
    // Wrong associated data: changed, shorter, longer, empty.
    {
        QVERIFY(rejects(nonce, fromText("container header + chunk index 4 + last=0"), sealed));
        QVERIFY(rejects(nonce, fromText("container header + chunk index 3 + last=1"), sealed));
        QVERIFY(rejects(nonce, Bytes(aad.begin(), aad.end() - 1), sealed));
        Bytes longer = aad;
        longer.push_back(0);
        QVERIFY(rejects(nonce, longer, sealed));
        QVERIFY(rejects(nonce, {}, sealed));
    }
    // Wrong nonce: another chunk index, or one flipped bit.
    QVERIFY(rejects(counterNonce(4), aad, sealed));
    {
        AeadNonce n = nonce;
        n[0] ^= 0x01;
        QVERIFY(rejects(n, aad, sealed));
    }
    // Truncated: every shorter length, including shorter than a tag.
    for (std::size_t len = 0; len < sealed.size(); ++len)
        QVERIFY2(rejects(nonce, aad, std::span<const std::uint8_t>(sealed).first(len)),
            qPrintable(QStringLiteral("length %1").arg(len)));
    // Extended.
    {
        Bytes longer = sealed;
        longer.push_back(0);
        QVERIFY(rejects(nonce, aad, longer));
    }
    // Wrong key.
    {
        Aead other(cipher);
        QVERIFY(other.setKey(patterned(32, 2)));
        Bytes out;
        QVERIFY(!other.open(nonce, aad, sealed, out));
        QVERIFY(out.empty());
        QVERIFY(!other.errorString().isEmpty());
    }
    // After all those failures the context still works.
    {
        Bytes out;
        QVERIFY(aead.open(nonce, aad, sealed, out));
        QVERIFY(out == plaintext);
    }
}

void TestCrypto::rekeyingAndDirectionChanges()
{
    // One context per worker, used for many files (keys) in both directions:
    // every result must equal a fresh context's.
    const Bytes k1 = patterned(32, 10);
    const Bytes k2 = patterned(32, 11);
    const Bytes msg = patterned(1000, 12);
    const Bytes aad = fromText("aad");
    for (CipherId cipher : {CipherId::ChaCha20Poly1305, CipherId::Aes256Gcm}) {
        const auto fresh = [&](const Bytes &key, quint64 counter) {
            Aead a(cipher);
            Bytes out;
            if (!a.setKey(key) || !a.seal(counterNonce(counter), aad, msg, out))
                return Bytes();
            return out;
        };
        Aead shared(cipher);
        for (int round = 0; round < 3; ++round) {
            for (const Bytes *key : {&k1, &k2}) {
                QVERIFY(shared.setKey(*key));
                for (quint64 counter = 0; counter < 3; ++counter) {
                    QVERIFY(shared.setKey(*key)); // the same key again, per chunk
                    Bytes sealed;
                    QVERIFY(shared.seal(counterNonce(counter), aad, msg, sealed));
                    QVERIFY(sealed == fresh(*key, counter));
                    Bytes opened;
                    QVERIFY(shared.open(counterNonce(counter), aad, sealed, opened));
                    QVERIFY(opened == msg);
                }
            }
        }
        // The same key and nonce under the two ciphers differ.
        QVERIFY(fresh(k1, 0) != Bytes());
    }
    Aead c(CipherId::ChaCha20Poly1305), g(CipherId::Aes256Gcm);
    Bytes a, b;
    QVERIFY(c.setKey(k1) && g.setKey(k1));
    QVERIFY(c.seal(counterNonce(0), aad, msg, a) && g.seal(counterNonce(0), aad, msg, b));
    QVERIFY(a != b);
}

void TestCrypto::misuseIsRejected()
{
    Aead none(CipherId::None);
    QVERIFY(!none.isValid());
    QVERIFY(!none.errorString().isEmpty());
    QVERIFY(!none.setKey(Bytes(32, 1)));

    Aead aead(CipherId::ChaCha20Poly1305);
    Bytes out;
    QVERIFY(!aead.hasKey());
    QVERIFY(!aead.seal(counterNonce(0), {}, fromText("x"), out)); // no key yet
    QVERIFY(out.empty());
    QVERIFY(!aead.setKey(Bytes(16, 1)));
    QVERIFY(aead.errorString().contains(QLatin1String("32")));
    QVERIFY(!aead.setKey(Bytes(33, 1)));
    QVERIFY(!aead.hasKey());
    QVERIFY(aead.setKey(Bytes(32, 1)));
    QVERIFY(aead.hasKey());
    QVERIFY(aead.seal(counterNonce(0), {}, fromText("x"), out));
    // A failed setKey() leaves no key behind, not the previous one.
    QVERIFY(!aead.setKey(Bytes(31, 1)));
    QVERIFY(!aead.hasKey());
    out.clear();
    QVERIFY(!aead.seal(counterNonce(1), {}, fromText("x"), out));
    QVERIFY(out.empty());
}

// ----------------------------------------------------------------- SHA-256

void TestCrypto::sha256Fips180Vectors()
{
    // FIPS 180-2, Appendix B.1 and B.2.
    const auto abc = Sha256::hash(fromText("abc"));
    QVERIFY(abc);
    QCOMPARE(Sha256::hex(*abc), QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

    const auto two = Sha256::hash(QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    QVERIFY(two);
    QCOMPARE(Sha256::hex(*two), QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));

    const auto empty = Sha256::hash(Bytes());
    QVERIFY(empty);
    QCOMPARE(Sha256::hex(*empty), QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestCrypto::sha256MillionA()
{
    // FIPS 180-2, Appendix B.3: one million 'a', fed in uneven pieces.
    const Bytes block(7919, 'a');
    Sha256 sha;
    QVERIFY(sha.isValid());
    std::size_t left = 1000000;
    std::size_t step = 1;
    while (left > 0) {
        const std::size_t n = std::min({left, step, block.size()});
        sha.update(block.data(), n);
        left -= n;
        step = step * 3 + 1;
    }
    const auto digest = sha.finish();
    QVERIFY(digest);
    QCOMPARE(Sha256::hex(*digest), QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void TestCrypto::sha256MatchesSha256sum()
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("sha256sum"));
    if (tool.isEmpty())
        QFAIL("sha256sum is missing: scripts/deps.sh installs coreutils");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    for (qint64 size : {qint64(0), qint64(1), qint64(3 * 1024 * 1024 + 7)}) {
        const QString path = dir.filePath(QStringLiteral("sample-%1.bin").arg(size));
        const Bytes data = patterned(std::size_t(size), quint32(size) + 99);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(reinterpret_cast<const char *>(data.data()), size), size);
        }
        // Read back in chunk-sized pieces, as the pipeline does.
        Sha256 sha;
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        while (!file.atEnd()) {
            const QByteArray chunk = file.read(65536 + 3);
            sha.update(chunk);
        }
        const auto digest = sha.finish();
        QVERIFY(digest);

        QProcess proc;
        proc.start(tool, {path});
        QVERIFY(proc.waitForFinished(30000));
        QCOMPARE(proc.exitCode(), 0);
        const QString line = QString::fromLatin1(proc.readAllStandardOutput());
        const QString expected = line.section(QLatin1Char(' '), 0, 0);
        QCOMPARE(expected.size(), 64);
        QCOMPARE(Sha256::hex(*digest), expected);
    }
}

void TestCrypto::sha256IsReusableAfterFinish()
{
    Sha256 sha;
    sha.update(QByteArray("first file"));
    const auto first = sha.finish();
    sha.update(QByteArray("abc"));
    const auto second = sha.finish();
    QVERIFY(first && second);
    QCOMPARE(Sha256::hex(*second), QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    sha.update(QByteArray("junk"));
    sha.reset();
    sha.update(QByteArray("abc"));
    QCOMPARE(sha.finish(), second);
}

// -------------------------------------------------------------------- KDFs

void TestCrypto::hkdfRfc5869()
{
    // RFC 5869, Appendix A.1 (Test Case 1).
    const Bytes ikm(22, 0x0b);
    const auto okm = hkdfSha256(ikm, fromHex("000102030405060708090a0b0c"), fromHex("f0f1f2f3f4f5f6f7f8f9"), 42);
    QVERIFY(okm);
    QCOMPARE(hexOf(*okm),
        QStringLiteral("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                       "34007208d5b887185865"));
    // RFC 5869, Appendix A.3 (Test Case 3): empty salt and info.
    const auto okm3 = hkdfSha256(ikm, {}, {}, 42);
    QVERIFY(okm3);
    QCOMPARE(hexOf(*okm3),
        QStringLiteral("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                       "9d201395faa4b61a96c8"));
    // Out-of-range lengths are refused.
    QString error;
    QVERIFY(!hkdfSha256(ikm, {}, {}, 0, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!hkdfSha256(ikm, {}, {}, 255 * 32 + 1));
    QVERIFY(hkdfSha256(ikm, {}, {}, 255 * 32));
}

void TestCrypto::scryptRfc7914_data()
{
    // RFC 7914, section 12 (the two small vectors).
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("salt");
    QTest::addColumn<quint64>("N");
    QTest::addColumn<quint32>("r");
    QTest::addColumn<quint32>("p");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty, N=16 r=1 p=1") << QByteArray() << QByteArray() << quint64(16) << quint32(1) << quint32(1)
                                         << QStringLiteral(
                                                "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                                                "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
    QTest::newRow("password/NaCl, N=1024 r=8 p=16")
        << QByteArray("password") << QByteArray("NaCl") << quint64(1024) << quint32(8) << quint32(16)
        << QStringLiteral("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                          "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

void TestCrypto::scryptRfc7914()
{
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, salt);
    QFETCH(quint64, N);
    QFETCH(quint32, r);
    QFETCH(quint32, p);
    QFETCH(QString, expected);
    const Bytes saltBytes(salt.begin(), salt.end());
    QString error;
    const auto key = scrypt(password, saltBytes, N, r, p, 64, &error);
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(hexOf(*key), expected);
}

void TestCrypto::scryptDefaultCost()
{
    const ScryptParams params;
    QCOMPARE(params.log2N, quint8(17));
    QCOMPARE(params.r, quint32(8));
    QCOMPARE(params.p, quint32(1));
    // Memory-hard: 128 * r * N = 128 MiB of work area.
    QVERIFY(params.memoryBytes() >= quint64(128) << 20);
    QVERIFY(isAcceptable(params));

    const Bytes salt = patterned(kJobSaltSize, 3);
    QElapsedTimer timer;
    timer.start();
    QString error;
    const auto key = derivePassphraseKey(QStringLiteral("correct horse battery staple"), salt, params, &error);
    const qint64 ms = timer.elapsed();
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(key->size(), kMasterKeySize);
    qInfo("scrypt default (N=2^17, r=8, p=1, %llu MiB): %lld ms on this machine",
        static_cast<unsigned long long>(params.memoryBytes() >> 20), ms);
    // Loose bound only (shared, noisy machines; sanitizer builds are slower).
    QVERIFY2(ms < 30000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
}

void TestCrypto::scryptParamsBounds()
{
    QString why;
    QVERIFY(isAcceptable({10, 8, 1}));
    QVERIFY(isAcceptable({20, 8, 1})); // 1 GiB: the ceiling
    QVERIFY(!isAcceptable({21, 8, 1}, &why));
    QVERIFY(why.contains(QLatin1String("MiB")));
    QVERIFY(!isAcceptable({9, 8, 1}));
    QVERIFY(!isAcceptable({25, 1, 1}));
    QVERIFY(!isAcceptable({60, 8, 1}));
    QVERIFY(!isAcceptable({17, 0, 1}));
    QVERIFY(!isAcceptable({17, 65, 1}));
    QVERIFY(!isAcceptable({17, 8, 0}));
    QVERIFY(!isAcceptable({17, 8, 17}));
    QVERIFY(!scrypt(QByteArray("x"), {}, 1000, 8, 1, 32)); // N not a power of two
    QVERIFY(!scrypt(QByteArray("x"), {}, 1, 8, 1, 32));
}

void TestCrypto::fileKeyDerivation()
{
    Bytes master(32);
    std::iota(master.begin(), master.end(), std::uint8_t(0x80));
    Bytes salt(16);
    std::iota(salt.begin(), salt.end(), std::uint8_t(0));

    const auto key = deriveFileKey(master, salt);
    QVERIFY(key);
    QCOMPARE(key->size(), kFileKeySize);
    // Pinned (the format): computed independently with
    //   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:808182…9f
    //     -kdfopt hexsalt:000102…0f -kdfopt "info:flowgate file key v1" HKDF
    QCOMPARE(hexOf(*key), QStringLiteral("1f6af3ec9af9ed7b9eac6c26ab22134fc59f0d8d4e725a9221eaa5d155461ae4"));
    // = HKDF with the documented info.
    const auto manual = hkdfSha256(master, salt, fromText("flowgate file key v1"), 32);
    QVERIFY(manual && manual->equals(*key));

    // Another salt or another master key: another key.
    Bytes salt2 = salt;
    salt2[15] ^= 1;
    Bytes master2 = master;
    master2[0] ^= 1;
    QVERIFY(!deriveFileKey(master, salt2)->equals(*key));
    QVERIFY(!deriveFileKey(master2, salt)->equals(*key));

    // Wrong sizes are refused with a reason.
    QString error;
    QVERIFY(!deriveFileKey(Bytes(16, 1), salt, &error));
    QVERIFY(error.contains(QLatin1String("32")));
    QVERIFY(!deriveFileKey(master, Bytes(8, 1), &error));
    QVERIFY(error.contains(QLatin1String("16")));
}

void TestCrypto::passphraseKeyDerivation()
{
    Bytes salt(16);
    std::iota(salt.begin(), salt.end(), std::uint8_t(0));
    const ScryptParams cheap{10, 8, 1};

    // Pinned: openssl kdf -keylen 32 -kdfopt "pass:correct horse battery staple"
    //   -kdfopt hexsalt:000102…0f -kdfopt n:1024 -kdfopt r:8 -kdfopt p:1 SCRYPT
    const auto key = derivePassphraseKey(QStringLiteral("correct horse battery staple"), salt, cheap);
    QVERIFY(key);
    QCOMPARE(hexOf(*key), QStringLiteral("9a9f74cc441de571a18c4bf8580ad51f86745d14b39065ad24ad92fc05c99515"));

    // NFC: "café" typed precomposed (U+00E9) or decomposed (e + U+0301) is the
    // same passphrase.
    const QString composed = QStringLiteral("caf\u00e9 au lait");
    const QString decomposed = QStringLiteral("cafe\u0301 au lait");
    QVERIFY(composed != decomposed);
    const auto k1 = derivePassphraseKey(composed, salt, cheap);
    const auto k2 = derivePassphraseKey(decomposed, salt, cheap);
    QVERIFY(k1 && k2);
    QVERIFY(k1->equals(*k2));
    QVERIFY(!k1->equals(*key));

    // Another salt: another key.
    Bytes salt2 = salt;
    salt2[0] ^= 1;
    QVERIFY(!derivePassphraseKey(composed, salt2, cheap)->equals(*k1));

    QString error;
    QVERIFY(!derivePassphraseKey(QString(), salt, cheap, &error));
    QVERIFY(error.contains(QLatin1String("empty")));
    QVERIFY(!derivePassphraseKey(composed, Bytes(8, 0), cheap, &error));
    QVERIFY(error.contains(QLatin1String("salt")));
    QVERIFY(!derivePassphraseKey(composed, salt, ScryptParams{30, 8, 1}, &error));
    QVERIFY(error.contains(QLatin1String("scrypt")));
}

// ------------------------------------------------------------------ key id

void TestCrypto::keyIdFormat()
{
    static const QRegularExpression format(QStringLiteral("^[0-9a-f]{16}$"));
    const Bytes zeros(32, 0);
    // Pinned: (printf 'flowgate key id'; head -c 32 /dev/zero) | sha256sum | cut -c1-16
    QCOMPARE(MasterKeyManager::keyId(zeros), QStringLiteral("6b1e7a57e99e744b"));

    for (quint32 seed = 0; seed < 20; ++seed) {
        const Bytes key = patterned(32, seed);
        const QString id = MasterKeyManager::keyId(key);
        QVERIFY2(format.match(id).hasMatch(), qPrintable(id));
        // Independently: Qt's own SHA-256 of "flowgate key id" || key.
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(QByteArrayView("flowgate key id"));
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(key.data()), qsizetype(key.size())));
        QCOMPARE(id, QString::fromLatin1(hash.result().left(8).toHex()));
    }
    QVERIFY(MasterKeyManager::keyId(patterned(32, 1)) != MasterKeyManager::keyId(patterned(32, 2)));
}

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
