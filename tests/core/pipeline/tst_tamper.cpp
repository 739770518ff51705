// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Tampered containers: every single byte flipped, truncation, reordered,
// duplicated, removed and spliced chunks, changed header fields, wrong keys
// and extra bytes are all refused with ErrorKind::DataIntegrity (a different
// key id: ErrorKind::Key), never a crash, never a success, and restore never
// leaves an output behind.

#include "codec/codec.h"
#include "crypto/aead.h"
#include "enginetesthelpers.h"
#include "format/containerformat.h"
#include "governor/governor.h"
#include "pipeline/engine.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace flowgate;
using namespace flowgate::testing;

namespace {

constexpr quint32 kChunk = fgc::kMinChunkSize; // 4 KiB: small containers, several chunks

// Under a sanitizer (ASan or TSan) every byte is still flipped, with one mask instead of two.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

enum class Kind { Keychain, Passphrase, Plain };

struct Container
{
    QByteArray bytes;
    ContainerLayout layout;
    KeyMaterial keys;
    QString input;
};

QString describe(const FileReport &r)
{
    return QStringLiteral("%1 %2: state %3, error %4: %5")
        .arg(jobModeName(r.mode), r.input, fileStateName(r.state), errorKindName(r.errorKind), r.error);
}

CipherId cipherFrom(const QString &text)
{
    const auto c = parseCipher(text);
    return c ? *c : CipherId::None;
}

CodecSpec codecFrom(const QString &text)
{
    const auto spec = CodecSpec::parse(text, nullptr);
    return spec ? *spec : CodecSpec{};
}

/// The current data row's tag, usable in a folder name.
QString dataTag()
{
    QString tag = QString::fromUtf8(QTest::currentDataTag());
    for (QChar &ch : tag) {
        if (!ch.isLetterOrNumber())
            ch = QLatin1Char('-');
    }
    return tag;
}

QByteArray replaced(QByteArray bytes, std::size_t offset, std::size_t size, const QByteArray &with)
{
    bytes.replace(qsizetype(offset), qsizetype(size), with);
    return bytes;
}

} // namespace

class TestTamper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void flipEveryByte_data();
    void flipEveryByte();
    void truncation_data();
    void truncation();
    void chunkSurgery_data();
    void chunkSurgery();
    void changedHeaderField_data();
    void changedHeaderField();
    void wrongKeys();
    void extraBytesAfterTrailer_data();
    void extraBytesAfterTrailer();

private:
    /// Packs a fresh input into a container under m_root (reuseKeys: the same key material again).
    bool pack(Container *out, Kind kind, const QString &cipher, const QString &codec, qint64 size, quint64 seed,
        const QString &subdir, const KeyMaterial *reuseKeys = nullptr, QString *why = nullptr);
    /// Writes each variant to its own file, runs them all in mode and returns the reports.
    QList<FileReport> runVariants(const QList<QByteArray> &variants, JobMode mode, const KeyMaterial &keys);
    /// Where every restore writes (and must leave nothing).
    QString outDir() const { return m_root.filePath(QStringLiteral("out")); }

    QTemporaryDir m_root;
    SecureBytes m_masterKey;
    QString m_keyId;
};

void TestTamper::initTestCase()
{
    QVERIFY(m_root.isValid());
    QVERIFY(QDir(m_root.path()).mkdir(QStringLiteral("out")));
    m_masterKey = randomMasterKey();
    QCOMPARE(m_masterKey.size(), kMasterKeySize);
    m_keyId = randomKeyId();
    QCOMPARE(m_keyId.size(), 16);
    if (kSanitized)
        qInfo("sanitized build: every byte is still flipped, with one mask instead of two");
}

void TestTamper::cleanup()
{
    // Whatever a test did, no restore may have left anything in the output folder.
    QCOMPARE(filesUnder(outDir()), QStringList());
}

bool TestTamper::pack(Container *out, Kind kind, const QString &cipher, const QString &codec, qint64 size, quint64 seed,
    const QString &subdir, const KeyMaterial *reuseKeys, QString *why)
{
    const QDir dir(m_root.path());
    if (!dir.mkpath(subdir))
        return false;
    out->input = dir.filePath(subdir + QStringLiteral("/sample.txt"));
    if (!writeFileBytes(out->input, compressibleData(size, seed)) || !setModeAndMtime(out->input, 0640, kOldMtimeNs))
        return false;
    if (reuseKeys)
        out->keys = *reuseKeys;
    else if (kind == Kind::Keychain)
        out->keys = keychainKeys(m_masterKey, m_keyId);
    else if (kind == Kind::Passphrase)
        out->keys = KeyMaterial::fromPassphrase(QStringLiteral("tamper-proof words"), cheapScrypt());
    else
        out->keys = KeyMaterial::none();
    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport r = runOne(engine, out->input,
        packSettings(codecFrom(codec), kind == Kind::Plain ? CipherId::None : cipherFrom(cipher), out->keys, kChunk,
            dir.filePath(subdir)));
    if (r.state != FileState::Done) {
        if (why)
            *why = describe(r);
        return false;
    }
    out->bytes = readFileBytes(r.output);
    out->layout = parseContainer(out->bytes);
    if (!out->layout.ok && why)
        *why = out->layout.error;
    return out->layout.ok;
}

QList<FileReport> TestTamper::runVariants(const QList<QByteArray> &variants, JobMode mode, const KeyMaterial &keys)
{
    // The same few hundred files, overwritten batch after batch: creating and
    // deleting thousands of files costs ext4 far more than the engine's work.
    const QString variantDir = m_root.filePath(QStringLiteral("variants"));
    QDir().mkpath(variantDir);
    QStringList paths;
    for (int i = 0; i < variants.size(); ++i) {
        const QString p = QDir(variantDir).filePath(QStringLiteral("v%1.fgc").arg(i));
        if (!writeFileBytes(p, variants[i]))
            return {};
        paths << p;
    }
    Governor governor(testConfig());
    Engine engine(governor);
    const JobSettings settings = restoreSettings(mode, keys, outDir());
    QList<int> ids;
    for (const QString &p : std::as_const(paths))
        ids << engine.addFile(p, settings);
    QList<FileReport> reports;
    if (!engine.waitForIdle(std::chrono::minutes(5)))
        return reports;
    for (const int id : std::as_const(ids))
        reports << engine.report(id);
    return reports;
}

// --- every byte -------------------------------------------------------------------------

void TestTamper::flipEveryByte_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<qint64>("size");
    // 3 chunks of 4 KiB (the last one partial).
    QTest::newRow("chacha20/keychain/3 chunks")
        << int(Kind::Keychain) << QStringLiteral("chacha20") << QStringLiteral("zstd:3") << qint64(2 * kChunk + 1000);
    QTest::newRow("aes256gcm/passphrase/3 chunks")
        << int(Kind::Passphrase) << QStringLiteral("aes256gcm") << QStringLiteral("lz4") << qint64(2 * kChunk + 1000);
    QTest::newRow("none (CRC)/3 chunks") << int(Kind::Plain) << QStringLiteral("none") << QStringLiteral("zstd:3")
                                         << qint64(2 * kChunk + 1000);
    QTest::newRow("chacha20/keychain/empty")
        << int(Kind::Keychain) << QStringLiteral("chacha20") << QStringLiteral("zstd:3") << qint64(0);
    QTest::newRow("none (CRC)/empty") << int(Kind::Plain) << QStringLiteral("none") << QStringLiteral("zstd:3")
                                      << qint64(0);
}

void TestTamper::flipEveryByte()
{
    QFETCH(int, kind);
    QFETCH(QString, cipher);
    QFETCH(QString, codec);
    QFETCH(qint64, size);

    Container c;
    QString why;
    QVERIFY2(pack(&c, Kind(kind), cipher, codec, size, 42, QStringLiteral("flip-") + dataTag(), nullptr, &why),
        qPrintable(why));
    QCOMPARE(quint64(c.layout.chunks.size()), (quint64(size) + kChunk - 1) / kChunk);
    // The untouched container passes (the baseline of every variant).
    {
        const QList<FileReport> ok = runVariants({c.bytes}, JobMode::Verify, c.keys);
        QCOMPARE(ok.size(), 1);
        QVERIFY2(ok[0].state == FileState::Done, qPrintable(describe(ok[0])));
    }

    // Where the key id lives in the header: flipping it names another key
    // (ErrorKind::Key, naming both ids), and says that a key id no key has
    // means a damaged header.
    std::set<qsizetype> keyIdBytes;
    if (Kind(kind) == Kind::Keychain) {
        fgc::Header other = c.layout.header;
        for (auto &b : other.keyId)
            b ^= 0xff;
        const QByteArray a = fgc::encodeHeader(c.layout.header, nullptr);
        const QByteArray b = fgc::encodeHeader(other, nullptr);
        QCOMPARE(a.size(), b.size());
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (a[i] != b[i])
                keyIdBytes.insert(i);
        }
        QCOMPARE(keyIdBytes.size(), std::size_t(8));
    }

    const QList<std::uint8_t> masks = kSanitized ? QList<std::uint8_t>{0xff} : QList<std::uint8_t>{0xff, 0x01};
    const qsizetype total = c.bytes.size();
    int checked = 0;
    for (const std::uint8_t mask : masks) {
        constexpr qsizetype kBatch = 512;
        for (qsizetype start = 0; start < total; start += kBatch) {
            const qsizetype end = std::min(total, start + kBatch);
            QList<QByteArray> variants;
            for (qsizetype p = start; p < end; ++p) {
                QByteArray v = c.bytes;
                v[p] = char(std::uint8_t(v[p]) ^ mask);
                variants << v;
            }
            // Verify every variant; restore every 7th one as well.
            const QList<FileReport> reports = runVariants(variants, JobMode::Verify, c.keys);
            QCOMPARE(reports.size(), variants.size());
            QList<QByteArray> toRestore;
            for (qsizetype i = 0; i < reports.size(); ++i) {
                const qsizetype p = start + i;
                const FileReport &r = reports[i];
                const QByteArray where = QByteArray("byte ") + QByteArray::number(p) + " mask "
                    + QByteArray::number(mask) + ": " + describe(r).toUtf8();
                QVERIFY2(r.state == FileState::Failed, where.constData());
                if (keyIdBytes.count(p)) {
                    QVERIFY2(r.errorKind == ErrorKind::Key, where.constData());
                    fgc::Header flipped = c.layout.header;
                    flipped.keyId[std::size_t(*keyIdBytes.find(p) - *keyIdBytes.begin())] ^= mask;
                    QVERIFY2(r.error.contains(toHex(flipped.keyId)) && r.error.contains(m_keyId)
                            && r.error.contains(QLatin1String("header is damaged")),
                        where.constData());
                } else {
                    QVERIFY2(r.errorKind == ErrorKind::DataIntegrity, where.constData());
                }
                QVERIFY2(r.input.endsWith(QStringLiteral("/v%1.fgc").arg(i)), where.constData());
                if (r.errorKind == ErrorKind::DataIntegrity) // the engine's key errors do not repeat the path
                    QVERIFY2(r.error.contains(r.input), where.constData());
                if (p % 7 == 0)
                    toRestore << variants[i];
                ++checked;
            }
            const QList<FileReport> restored = runVariants(toRestore, JobMode::Restore, c.keys);
            QCOMPARE(restored.size(), toRestore.size());
            for (const FileReport &r : restored) {
                QVERIFY2(r.state == FileState::Failed && r.output.isEmpty(), qPrintable(describe(r)));
                QVERIFY2(
                    r.errorKind == ErrorKind::DataIntegrity || r.errorKind == ErrorKind::Key, qPrintable(describe(r)));
            }
            QCOMPARE(filesUnder(outDir()), QStringList());
        }
    }
    QCOMPARE(checked, int(total) * int(masks.size()));
    qInfo("%lld byte positions x %d masks, all refused", qint64(total), int(masks.size()));
}

// --- truncation ---------------------------------------------------------------------------

void TestTamper::truncation_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("cipher");
    QTest::newRow("chacha20/keychain") << int(Kind::Keychain) << QStringLiteral("chacha20");
    QTest::newRow("aes256gcm/passphrase") << int(Kind::Passphrase) << QStringLiteral("aes256gcm");
    QTest::newRow("none") << int(Kind::Plain) << QStringLiteral("none");
}

void TestTamper::truncation()
{
    QFETCH(int, kind);
    QFETCH(QString, cipher);
    Container c;
    QString why;
    QVERIFY2(pack(&c, Kind(kind), cipher, QStringLiteral("zstd:3"), 4 * kChunk + 123, 7,
                 QStringLiteral("trunc-") + dataTag(), nullptr, &why),
        qPrintable(why));
    const ContainerLayout &l = c.layout;
    QCOMPARE(l.chunks.size(), 5);
    const std::size_t prefix = fgc::chunkRecordPrefixSize(l.header);

    std::set<std::size_t> cuts = {0, 1, 8, 11, 12, l.headerSize - 1, l.headerSize};
    for (const auto &ch : l.chunks) {
        cuts.insert(ch.offset); // at the boundary before the chunk
        cuts.insert(ch.offset + 1); // inside the prefix
        cuts.insert(ch.offset + prefix - 1);
        cuts.insert(ch.offset + prefix); // prefix only
        cuts.insert(ch.offset + prefix + ch.record.storedSize / 2); // half the payload
        cuts.insert(ch.offset + ch.size - 1); // one byte short
    }
    cuts.insert(l.trailerOffset); // every chunk, no trailer
    cuts.insert(l.trailerOffset + 1);
    cuts.insert(l.trailerOffset + l.trailerSize / 2);
    cuts.insert(std::size_t(c.bytes.size()) - 1);

    QList<QByteArray> variants;
    QList<std::size_t> at;
    for (const std::size_t cut : cuts) {
        QVERIFY(cut < std::size_t(c.bytes.size()));
        variants << c.bytes.left(qsizetype(cut));
        at << cut;
    }
    for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
        const QList<FileReport> reports = runVariants(variants, mode, c.keys);
        QCOMPARE(reports.size(), variants.size());
        for (qsizetype i = 0; i < reports.size(); ++i) {
            const QByteArray where
                = "cut at " + QByteArray::number(qulonglong(at[i])) + ": " + describe(reports[i]).toUtf8();
            QVERIFY2(reports[i].state == FileState::Failed, where.constData());
            QVERIFY2(reports[i].errorKind == ErrorKind::DataIntegrity, where.constData());
        }
    }
}

// --- chunk records moved about ------------------------------------------------------------------

void TestTamper::chunkSurgery_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<QString>("codec");
    // Codec none: every full chunk record has the same size.
    QTest::newRow("chacha20/keychain/codec none")
        << int(Kind::Keychain) << QStringLiteral("chacha20") << QStringLiteral("none");
    QTest::newRow("aes256gcm/keychain/zstd")
        << int(Kind::Keychain) << QStringLiteral("aes256gcm") << QStringLiteral("zstd:3");
    QTest::newRow("chacha20/passphrase/codec none")
        << int(Kind::Passphrase) << QStringLiteral("chacha20") << QStringLiteral("none");
    QTest::newRow("unencrypted/codec none") << int(Kind::Plain) << QStringLiteral("none") << QStringLiteral("none");
    QTest::newRow("unencrypted/zstd") << int(Kind::Plain) << QStringLiteral("none") << QStringLiteral("zstd:3");
}

void TestTamper::chunkSurgery()
{
    QFETCH(int, kind);
    QFETCH(QString, cipher);
    QFETCH(QString, codec);
    const QString tag = dataTag();
    Container a;
    Container b;
    QString why;
    const qint64 size = 3 * kChunk + 500; // 4 chunks: 0..2 full, 3 partial
    QVERIFY2(pack(&a, Kind(kind), cipher, codec, size, 1, QStringLiteral("surgery-a-") + tag, nullptr, &why),
        qPrintable(why));
    // b: the same key (the same job for a passphrase), the same settings, the
    // same name, size, mode and mtime; other content.
    QVERIFY2(pack(&b, Kind(kind), cipher, codec, size, 2, QStringLiteral("surgery-b-") + tag, &a.keys, &why),
        qPrintable(why));
    const ContainerLayout &l = a.layout;
    QCOMPARE(l.chunks.size(), 4);
    if (codec == QLatin1String("none")) {
        QCOMPARE(l.chunks[0].size, l.chunks[1].size);
        QCOMPARE(l.chunks[1].size, l.chunks[2].size);
    }
    const auto chunk = [&](const Container &c, int i) { return c.layout.chunkBytes(c.bytes, i); };
    const QByteArray head = l.headerBytes(a.bytes);
    const QByteArray trailer = l.trailerBytes(a.bytes);

    struct Variant
    {
        const char *what;
        QByteArray bytes;
    };
    QList<Variant> variants;
    // Reordered: chunks 0 and 1 swapped; chunks 1 and 2 swapped.
    variants.append({"swap 0 and 1", head + chunk(a, 1) + chunk(a, 0) + chunk(a, 2) + chunk(a, 3) + trailer});
    variants.append({"swap 1 and 2", head + chunk(a, 0) + chunk(a, 2) + chunk(a, 1) + chunk(a, 3) + trailer});
    // Duplicated: chunk 0 in place of chunk 1; chunk 1 twice (one extra record); the last chunk twice.
    variants.append({"0 in place of 1", head + chunk(a, 0) + chunk(a, 0) + chunk(a, 2) + chunk(a, 3) + trailer});
    variants.append({"1 twice", head + chunk(a, 0) + chunk(a, 1) + chunk(a, 1) + chunk(a, 2) + chunk(a, 3) + trailer});
    variants.append(
        {"last twice", head + chunk(a, 0) + chunk(a, 1) + chunk(a, 2) + chunk(a, 3) + chunk(a, 3) + trailer});
    // Removed: chunk 1; the last chunk.
    variants.append({"without 1", head + chunk(a, 0) + chunk(a, 2) + chunk(a, 3) + trailer});
    variants.append({"without the last", head + chunk(a, 0) + chunk(a, 1) + chunk(a, 2) + trailer});
    // Spliced from b (same key, same settings): one chunk, all chunks, the trailer, the header.
    variants.append({"b's chunk 1", head + chunk(a, 0) + chunk(b, 1) + chunk(a, 2) + chunk(a, 3) + trailer});
    variants.append({"b's last chunk", head + chunk(a, 0) + chunk(a, 1) + chunk(a, 2) + chunk(b, 3) + trailer});
    variants.append(
        {"b's chunks, a's header and trailer", head + chunk(b, 0) + chunk(b, 1) + chunk(b, 2) + chunk(b, 3) + trailer});
    variants.append({"b's trailer", replaced(a.bytes, l.trailerOffset, l.trailerSize, b.layout.trailerBytes(b.bytes))});
    if (Kind(kind) != Kind::Plain) // unencrypted, a's and b's headers are the same bytes
        variants.append({"b's header", b.layout.headerBytes(b.bytes) + a.bytes.mid(qsizetype(l.headerSize))});
    // The record prefix alone changed: a chunk claims to be the last.
    {
        QByteArray v = a.bytes;
        v[qsizetype(l.chunks[2].offset + 1)] = char(fgc::kLastChunkFlag); // chunk 2 claims to be the last
        variants.append({"chunk 2 flagged last", v});
    }

    // The splice sources are genuine: a and b each verify on their own.
    QList<QByteArray> originals = {a.bytes, b.bytes};
    for (const FileReport &r : runVariants(originals, JobMode::Verify, a.keys))
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));

    QList<QByteArray> bytes;
    for (const Variant &v : std::as_const(variants))
        bytes << v.bytes;
    for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
        const QList<FileReport> reports = runVariants(bytes, mode, a.keys);
        QCOMPARE(reports.size(), variants.size());
        for (qsizetype i = 0; i < reports.size(); ++i) {
            const QByteArray where = QByteArray(variants[i].what) + ": " + describe(reports[i]).toUtf8();
            QVERIFY2(reports[i].state == FileState::Failed, where.constData());
            QVERIFY2(reports[i].errorKind == ErrorKind::DataIntegrity, where.constData());
        }
    }
}

// --- header fields ------------------------------------------------------------------------------

void TestTamper::changedHeaderField_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("field");
    const QStringList common = {QStringLiteral("mtime"), QStringLiteral("name"), QStringLiteral("level"),
        QStringLiteral("mode"), QStringLiteral("codec"), QStringLiteral("originalSize"), QStringLiteral("chunkSize")};
    for (const QString &f : common) {
        QTest::addRow("chacha20/keychain/%s", qPrintable(f)) << int(Kind::Keychain) << f;
        QTest::addRow("aes256gcm/passphrase/%s", qPrintable(f)) << int(Kind::Passphrase) << f;
        QTest::addRow("unencrypted/%s", qPrintable(f)) << int(Kind::Plain) << f;
    }
    QTest::newRow("chacha20/keychain/cipher") << int(Kind::Keychain) << QStringLiteral("cipher");
    QTest::newRow("chacha20/keychain/fileSalt") << int(Kind::Keychain) << QStringLiteral("fileSalt");
    QTest::newRow("aes256gcm/passphrase/jobSalt") << int(Kind::Passphrase) << QStringLiteral("jobSalt");
    QTest::newRow("aes256gcm/passphrase/scrypt") << int(Kind::Passphrase) << QStringLiteral("scrypt");
}

void TestTamper::changedHeaderField()
{
    QFETCH(int, kind);
    QFETCH(QString, field);
    const QString tag = dataTag();
    Container c;
    QString why;
    const QString cipher = Kind(kind) == Kind::Keychain ? QStringLiteral("chacha20")
        : Kind(kind) == Kind::Passphrase                ? QStringLiteral("aes256gcm")
                                                        : QStringLiteral("none");
    QVERIFY2(pack(&c, Kind(kind), cipher, QStringLiteral("zstd:3"), 3 * kChunk + 77, 5, QStringLiteral("field-") + tag,
                 nullptr, &why),
        qPrintable(why));
    fgc::Header h = c.layout.header;
    if (field == QLatin1String("mtime"))
        h.mtimeNs += 1;
    else if (field == QLatin1String("name"))
        h.name = QStringLiteral("other.txt");
    else if (field == QLatin1String("level"))
        h.level = 4;
    else if (field == QLatin1String("mode"))
        h.mode = 0644;
    else if (field == QLatin1String("codec")) {
        h.codec = CodecId::Lz4;
        h.level = 0;
    } else if (field == QLatin1String("originalSize"))
        h.originalSize -= 1;
    else if (field == QLatin1String("chunkSize"))
        h.chunkSize *= 2;
    else if (field == QLatin1String("cipher"))
        h.cipher = CipherId::Aes256Gcm;
    else if (field == QLatin1String("fileSalt"))
        h.fileSalt[3] ^= 0x10;
    else if (field == QLatin1String("jobSalt"))
        h.jobSalt[0] ^= 0x01;
    else if (field == QLatin1String("scrypt"))
        h.scrypt.log2N += 1;
    else
        QFAIL("unknown field");
    // The whole header re-encoded (its length may change with the name):
    // well-formed, only the field differs.
    const QByteArray patched = fgc::encodeHeader(h, nullptr) + c.bytes.mid(qsizetype(c.layout.headerSize));
    fgc::Header parsed;
    std::size_t consumed = 0;
    QString error;
    QCOMPARE(fgc::parseHeader(bytesOf(patched), &parsed, &consumed, nullptr, &error), fgc::ParseStatus::Ok);
    for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
        const QList<FileReport> reports = runVariants({patched}, mode, c.keys);
        QCOMPARE(reports.size(), 1);
        QVERIFY2(reports[0].state == FileState::Failed, qPrintable(describe(reports[0])));
        QVERIFY2(reports[0].errorKind == ErrorKind::DataIntegrity, qPrintable(describe(reports[0])));
    }
}

// --- keys ----------------------------------------------------------------------------------------

void TestTamper::wrongKeys()
{
    Container keychain;
    Container passphrase;
    Container empty;
    QString why;
    QVERIFY2(pack(&keychain, Kind::Keychain, QStringLiteral("chacha20"), QStringLiteral("zstd:3"), 3 * kChunk, 3,
                 QStringLiteral("keys-keychain"), nullptr, &why),
        qPrintable(why));
    QVERIFY2(pack(&passphrase, Kind::Passphrase, QStringLiteral("aes256gcm"), QStringLiteral("zstd:3"), 3 * kChunk, 3,
                 QStringLiteral("keys-passphrase"), nullptr, &why),
        qPrintable(why));
    QVERIFY2(pack(&empty, Kind::Keychain, QStringLiteral("chacha20"), QStringLiteral("zstd:3"), 0, 3,
                 QStringLiteral("keys-empty"), nullptr, &why),
        qPrintable(why));

    struct Case
    {
        const char *what;
        const Container *container;
        KeyMaterial keys;
        ErrorKind expected;
        QStringList mentions;
    };
    const QString otherId = randomKeyId();
    KeyMaterial wrongPass = KeyMaterial::fromPassphrase(QStringLiteral("tamper-proof wordz"), cheapScrypt());
    // A wrong key fails every chunk; which failure is reported first varies,
    // so only "authentication" is certain to be in the message.
    const QList<Case> cases = {
        {"wrong master key, same key id", &keychain, KeyMaterial::fromMasterKey(randomMasterKey(), m_keyId),
            ErrorKind::DataIntegrity, {QStringLiteral("authentication")}},
        {"wrong master key, empty file", &empty, KeyMaterial::fromMasterKey(randomMasterKey(), m_keyId),
            ErrorKind::DataIntegrity, {QStringLiteral("authentication")}},
        {"another key id", &keychain, KeyMaterial::fromMasterKey(randomMasterKey(), otherId), ErrorKind::Key,
            {m_keyId, otherId}},
        {"the right key under another id", &keychain, keychainKeys(m_masterKey, otherId), ErrorKind::Key,
            {m_keyId, otherId}},
        {"no key for a keychain container", &keychain, KeyMaterial::none(), ErrorKind::Key,
            {QStringLiteral("keychain")}},
        {"a passphrase for a keychain container", &keychain, wrongPass, ErrorKind::Key, {QStringLiteral("keychain")}},
        {"wrong passphrase", &passphrase, wrongPass, ErrorKind::DataIntegrity, {QStringLiteral("authentication")}},
        {"no passphrase", &passphrase, KeyMaterial::none(), ErrorKind::Key, {QStringLiteral("passphrase")}},
        {"a keychain key for a passphrase container", &passphrase, keychainKeys(m_masterKey, m_keyId), ErrorKind::Key,
            {QStringLiteral("passphrase")}},
    };
    for (const Case &k : cases) {
        for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
            const QList<FileReport> reports = runVariants({k.container->bytes}, mode, k.keys);
            QCOMPARE(reports.size(), 1);
            const FileReport &r = reports[0];
            const QByteArray where = QByteArray(k.what) + ": " + describe(r).toUtf8();
            QVERIFY2(r.state == FileState::Failed, where.constData());
            QVERIFY2(r.errorKind == k.expected, where.constData());
            for (const QString &m : k.mentions)
                QVERIFY2(r.error.contains(m), where.constData());
        }
    }
    // And the right keys still open them (so the failures above are about the keys).
    QCOMPARE(runVariants({keychain.bytes}, JobMode::Verify, keychain.keys).value(0).state, FileState::Done);
    QCOMPARE(runVariants({passphrase.bytes}, JobMode::Verify, passphrase.keys).value(0).state, FileState::Done);
    // A passphrase key is derived from the header's job salt, not the one the caller's KeyMaterial drew.
    const KeyMaterial sameWordsOtherSalt
        = KeyMaterial::fromPassphrase(QStringLiteral("tamper-proof words"), cheapScrypt());
    QCOMPARE(runVariants({passphrase.bytes}, JobMode::Verify, sameWordsOtherSalt).value(0).state, FileState::Done);
}

// --- trailing garbage --------------------------------------------------------------------------------

void TestTamper::extraBytesAfterTrailer_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("extra");
    for (const Kind k : {Kind::Keychain, Kind::Plain}) {
        const char *name = k == Kind::Keychain ? "chacha20" : "unencrypted";
        QTest::addRow("%s/one zero byte", name) << int(k) << QByteArray(1, '\0');
        QTest::addRow("%s/a T", name) << int(k) << QByteArray(1, char(fgc::kTrailerTag));
        QTest::addRow("%s/100 bytes", name) << int(k) << randomData(100, 4);
        QTest::addRow("%s/64 KiB", name) << int(k) << randomData(64 * 1024, 5);
    }
}

void TestTamper::extraBytesAfterTrailer()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, extra);
    const QString tag = dataTag();
    Container c;
    QString why;
    QVERIFY2(pack(&c, Kind(kind), QStringLiteral("chacha20"), QStringLiteral("zstd:3"), 2 * kChunk + 1, 8,
                 QStringLiteral("extra-") + tag, nullptr, &why),
        qPrintable(why));
    QList<QByteArray> variants = {c.bytes + extra};
    if (extra.size() == 1) // the trailer twice
        variants << c.bytes + c.layout.trailerBytes(c.bytes);
    for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
        const QList<FileReport> reports = runVariants(variants, mode, c.keys);
        QCOMPARE(reports.size(), variants.size());
        for (const FileReport &r : reports) {
            QVERIFY2(r.state == FileState::Failed, qPrintable(describe(r)));
            QVERIFY2(r.errorKind == ErrorKind::DataIntegrity, qPrintable(describe(r)));
        }
    }
}

QTEST_GUILESS_MAIN(TestTamper)
#include "tst_tamper.moc"
