// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The engine's round trips: pack, verify and restore through the governor,
// byte-identical, for every codec and cipher; chunk sizes; determinism;
// --force; stored names that would escape the output folder; many files at
// once.

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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace flowgate;
using namespace flowgate::testing;

namespace {

constexpr quint32 kChunk = 64 * kKiB;

enum class DataKind { Random, Compressible, Sparse };
enum class KeyKind { Keychain, Passphrase };

const char *kindName(DataKind k)
{
    switch (k) {
    case DataKind::Random:
        return "random";
    case DataKind::Compressible:
        return "compressible";
    case DataKind::Sparse:
        return "sparse";
    }
    return "?";
}

/// Writes the test input: random or compressible bytes, or a sparse file (a
/// hole of the given size with a few random blocks, one at the very end).
bool makeInput(const QString &path, DataKind kind, qint64 size, quint64 seed)
{
    if (kind == DataKind::Random)
        return writeFileBytes(path, randomData(size, seed));
    if (kind == DataKind::Compressible)
        return writeFileBytes(path, compressibleData(size, seed));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || !f.resize(size))
        return false;
    const qint64 block = 4 * kKiB;
    for (const qint64 at : {qint64(0), 3 * qint64(kChunk) + 100, size - block}) {
        if (at < 0 || at + block > size)
            continue;
        if (!f.seek(at) || f.write(randomData(block, seed + quint64(at))) != block)
            return false;
    }
    return f.flush();
}

CodecSpec codecFrom(const QString &text)
{
    const auto spec = CodecSpec::parse(text, nullptr);
    return spec ? *spec : CodecSpec{};
}

CipherId cipherFrom(const QString &text)
{
    const auto c = parseCipher(text);
    return c ? *c : CipherId::None;
}

QString describe(const FileReport &r)
{
    return QStringLiteral("%1 %2: state %3, error %4: %5")
        .arg(jobModeName(r.mode), r.input, fileStateName(r.state), errorKindName(r.errorKind), r.error);
}

const QStringList kCodecs = {QStringLiteral("none"), QStringLiteral("zstd:1"), QStringLiteral("zstd:3"),
    QStringLiteral("lz4"), QStringLiteral("gzip:6"), QStringLiteral("xz:1")};
const QStringList kCiphers = {QStringLiteral("none"), QStringLiteral("chacha20"), QStringLiteral("aes256gcm")};

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void automaticChunkSizeTable_data();
    void automaticChunkSizeTable();
    void automaticChunkSizeInEngine_data();
    void automaticChunkSizeInEngine();
    void chunkSizeBoundedByMemoryBudget();
    void deterministicWithoutCipher_data();
    void deterministicWithoutCipher();
    void encryptedDifferOnlyInSalts_data();
    void encryptedDifferOnlyInSalts();
    void existingOutputNeedsForce_data();
    void existingOutputNeedsForce();
    void storedNameCannotEscape_data();
    void storedNameCannotEscape();
    void manyFilesAtOnce();
    void waitForIdleWaitsForSignals();
    void restoreDropsSetIdBits();
    void passphraseDerivedOncePerJob();
    void pendingKeychainKey();
    void pendingKeychainKeyFails();
    void cancelWhileWaitingForTheKey();
    void pendingKeyAlreadyThereOrNotNeeded();
};

// --- round trips ------------------------------------------------------------------

void TestEngine::roundTrip_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<int>("keys");

    const qint64 c = kChunk;
    const QList<qint64> sizes = {0, 1, c - 1, c, c + 1, 5 * c + 4321};
    for (const QString &codec : kCodecs) {
        for (const QString &cipher : kCiphers) {
            for (const qint64 size : sizes) {
                for (const DataKind kind : {DataKind::Random, DataKind::Compressible}) {
                    QTest::addRow("%s/%s/%s/%lld", qPrintable(codec), qPrintable(cipher), kindName(kind), size)
                        << size << int(kind) << codec << cipher << int(KeyKind::Keychain);
                }
            }
            QTest::addRow("%s/%s/sparse/%lld", qPrintable(codec), qPrintable(cipher), 9 * c + 777)
                << 9 * c + 777 << int(DataKind::Sparse) << codec << cipher << int(KeyKind::Keychain);
        }
    }
    // Passphrase keys on a subset.
    for (const QString &cipher : {QStringLiteral("chacha20"), QStringLiteral("aes256gcm")}) {
        for (const QString &codec : {QStringLiteral("zstd:3"), QStringLiteral("none"), QStringLiteral("xz:1")}) {
            for (const qint64 size : {qint64(0), c + 1, 5 * c + 4321}) {
                QTest::addRow("%s/%s/compressible/%lld/passphrase", qPrintable(codec), qPrintable(cipher), size)
                    << size << int(DataKind::Compressible) << codec << cipher << int(KeyKind::Passphrase);
            }
        }
    }
}

void TestEngine::roundTrip()
{
    QFETCH(qint64, size);
    QFETCH(int, kind);
    QFETCH(QString, codec);
    QFETCH(QString, cipher);
    QFETCH(int, keys);

    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkpath(QStringLiteral("in")) && dir.mkpath(QStringLiteral("packed"))
        && dir.mkpath(QStringLiteral("restored")));
    const QString name = QStringLiteral("data file \u00e9.bin");
    const QString input = dir.filePath(QStringLiteral("in/") + name);
    QVERIFY(makeInput(input, DataKind(kind), size, quint64(size) * 31 + quint64(kind)));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));
    const FileStamp before = stampOf(input);
    QCOMPARE(before.size, quint64(size));

    KeyMaterial km;
    if (KeyKind(keys) == KeyKind::Keychain)
        km = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    else
        km = KeyMaterial::fromPassphrase(QStringLiteral("correct horse battery staple"), cheapScrypt());
    const CodecSpec spec = codecFrom(codec);
    const CipherId cipherId = cipherFrom(cipher);

    Governor governor(testConfig());
    Engine engine(governor);

    // Pack.
    const FileReport packed
        = runOne(engine, input, packSettings(spec, cipherId, km, kChunk, dir.filePath(QStringLiteral("packed"))));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
    QCOMPARE(packed.errorKind, ErrorKind::None);
    const QString container = dir.filePath(QStringLiteral("packed/") + name + QStringLiteral(".fgc"));
    QCOMPARE(packed.output, container);
    QCOMPARE(packed.sha256, before.sha256);
    QCOMPARE(packed.sha256.size(), 64);
    QCOMPARE(packed.originalSize, quint64(size));
    QCOMPARE(packed.inputSize, quint64(size));
    QCOMPARE(packed.chunkSize, kChunk);
    QCOMPARE(packed.chunks, (quint64(size) + kChunk - 1) / kChunk);
    const qint64 containerSize = QFileInfo(container).size();
    QCOMPARE(packed.outputSize, quint64(containerSize));
    if (size == 0) {
        QCOMPARE(packed.ratio, 0.0);
    } else {
        QCOMPARE(packed.ratio, double(containerSize) / double(size));
        if (size >= qint64(kChunk)) {
            if (DataKind(kind) == DataKind::Random) {
                QVERIFY2(packed.ratio >= 1.0 && packed.ratio < 1.02, qPrintable(QString::number(packed.ratio)));
            } else if (spec.id != CodecId::None) {
                QVERIFY2(packed.ratio < 0.7, qPrintable(QString::number(packed.ratio)));
            } else {
                QVERIFY2(packed.ratio >= 1.0 && packed.ratio < 1.02, qPrintable(QString::number(packed.ratio)));
            }
        }
    }
    // The container's header says what was asked for.
    const ContainerLayout layout = parseContainer(readFileBytes(container));
    QVERIFY2(layout.ok, qPrintable(layout.error));
    QCOMPARE(layout.header.codec, spec.id);
    QCOMPARE(layout.header.cipher, cipherId);
    QCOMPARE(layout.header.name, name);
    QCOMPARE(layout.header.mode, 0640u);
    QCOMPARE(layout.header.mtimeNs, kOldMtimeNs);
    QCOMPARE(quint64(layout.chunks.size()), packed.chunks);

    // Verify.
    const FileReport verified = runOne(engine, container, restoreSettings(JobMode::Verify, km, {}));
    QVERIFY2(verified.state == FileState::Done, qPrintable(describe(verified)));
    QCOMPARE(verified.sha256, before.sha256);
    QVERIFY(verified.output.isEmpty());
    QCOMPARE(verified.inputSize, quint64(containerSize));

    // Restore.
    const FileReport restored
        = runOne(engine, container, restoreSettings(JobMode::Restore, km, dir.filePath(QStringLiteral("restored"))));
    QVERIFY2(restored.state == FileState::Done, qPrintable(describe(restored)));
    const QString output = dir.filePath(QStringLiteral("restored/") + name);
    QCOMPARE(restored.output, output);
    QCOMPARE(restored.sha256, before.sha256);
    QCOMPARE(restored.outputSize, quint64(size));
    QCOMPARE(restored.originalSize, quint64(size));
    QCOMPARE(restored.inputSize, quint64(containerSize));
    QCOMPARE(restored.chunks, packed.chunks);
    const FileStamp after = stampOf(output);
    QVERIFY(after.exists);
    QCOMPARE(after.sha256, before.sha256);
    QCOMPARE(after.size, before.size);
    QCOMPARE(after.mode, 0640u);
    QCOMPARE(after.mtimeNs, kOldMtimeNs);
    if (size < qint64(4 * kMiB)) // small: compare the bytes themselves too
        QVERIFY(readFileBytes(output) == readFileBytes(input));

    // The input is untouched; exactly the expected files exist; nothing partial anywhere.
    QCOMPARE(stampOf(input), before);
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("packed"))), QStringList{container});
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("restored"))), QStringList{output});
    QCOMPARE(partFilesUnder(root.path()), QStringList());
    QCOMPARE(governor.memoryUsed(), qint64(0));
}

// --- chunk sizes -------------------------------------------------------------------

void TestEngine::automaticChunkSizeTable_data()
{
    QTest::addColumn<quint64>("fileSize");
    QTest::addColumn<quint32>("expected");
    const quint64 M = kMiB;
    QTest::newRow("0") << quint64(0) << 64 * kKiB;
    QTest::newRow("1") << quint64(1) << 64 * kKiB;
    QTest::newRow("1MiB") << M << 64 * kKiB;
    QTest::newRow("1MiB+1") << M + 1 << 256 * kKiB;
    QTest::newRow("10MiB") << 10 * M << 256 * kKiB;
    QTest::newRow("10MiB+1") << 10 * M + 1 << quint32(2 * M);
    QTest::newRow("50MiB") << 50 * M << quint32(2 * M);
    QTest::newRow("50MiB+1") << 50 * M + 1 << quint32(16 * M);
    QTest::newRow("500MiB") << 500 * M << quint32(16 * M);
    QTest::newRow("500MiB+1") << 500 * M + 1 << quint32(64 * M);
    QTest::newRow("1TiB") << (quint64(1) << 40) << quint32(64 * M);
}

void TestEngine::automaticChunkSizeTable()
{
    QFETCH(quint64, fileSize);
    QFETCH(quint32, expected);
    QCOMPARE(fgc::automaticChunkSize(fileSize), expected);
}

void TestEngine::automaticChunkSizeInEngine_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<quint32>("expected");
    QTest::newRow("empty") << qint64(0) << 64 * kKiB;
    QTest::newRow("1MiB") << qint64(kMiB) << 64 * kKiB;
    QTest::newRow("1MiB+1") << qint64(kMiB) + 1 << 256 * kKiB;
    QTest::newRow("10MiB+1") << qint64(10 * kMiB) + 1 << quint32(2 * kMiB);
    QTest::newRow("50MiB+1") << qint64(50 * kMiB) + 1 << quint32(16 * kMiB);
}

void TestEngine::automaticChunkSizeInEngine()
{
    QFETCH(qint64, size);
    QFETCH(quint32, expected);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString input = root.filePath(QStringLiteral("sparse.bin"));
    QVERIFY(makeInput(input, DataKind::Sparse, size, 7));
    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport packed
        = runOne(engine, input, packSettings(CodecSpec{CodecId::Zstd, 1}, CipherId::None, {}, 0, {}));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
    QCOMPARE(packed.chunkSize, expected);
    QCOMPARE(packed.chunks, (quint64(size) + expected - 1) / expected);
    const ContainerLayout layout = parseContainer(readFileBytes(packed.output));
    QVERIFY2(layout.ok, qPrintable(layout.error));
    QCOMPARE(layout.header.chunkSize, expected);

    QVERIFY(QDir(root.path()).mkdir(QStringLiteral("out")));
    const FileReport restored
        = runOne(engine, packed.output, restoreSettings(JobMode::Restore, {}, root.filePath(QStringLiteral("out"))));
    QVERIFY2(restored.state == FileState::Done, qPrintable(describe(restored)));
    QCOMPARE(sha256HexOfFile(restored.output), sha256HexOfFile(input));
}

void TestEngine::chunkSizeBoundedByMemoryBudget()
{
    // 10 MiB + 1 would get 2 MiB chunks; with a 4 MiB memory budget two
    // chunks per CPU token (+2) must fit, so the engine picks smaller ones.
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString input = root.filePath(QStringLiteral("sparse.bin"));
    const qint64 size = qint64(10 * kMiB) + 1;
    QVERIFY(makeInput(input, DataKind::Sparse, size, 11));
    ResourceConfig config = testConfig();
    config.memoryLimit = qint64(4 * kMiB);
    Governor governor(config);
    Engine engine(governor);
    const FileReport packed
        = runOne(engine, input, packSettings(CodecSpec{CodecId::Zstd, 1}, CipherId::None, {}, 0, {}));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
    QVERIFY2(
        packed.chunkSize < 2 * kMiB && packed.chunkSize >= 64 * kKiB, qPrintable(QString::number(packed.chunkSize)));
    const qint64 perChunk = governor.memoryCapacity() / (2 * (governor.cpuTokensTotal() + 2));
    QVERIFY(packed.chunkSize == 64 * kKiB || qint64(packed.chunkSize) * 2 <= perChunk);
    QVERIFY(QDir(root.path()).mkdir(QStringLiteral("out")));
    const FileReport restored
        = runOne(engine, packed.output, restoreSettings(JobMode::Restore, {}, root.filePath(QStringLiteral("out"))));
    QVERIFY2(restored.state == FileState::Done, qPrintable(describe(restored)));
    QCOMPARE(sha256HexOfFile(restored.output), sha256HexOfFile(input));
}

// --- determinism ---------------------------------------------------------------------

void TestEngine::deterministicWithoutCipher_data()
{
    QTest::addColumn<QString>("codec");
    for (const QString &codec : kCodecs)
        QTest::newRow(qPrintable(codec)) << codec;
}

void TestEngine::deterministicWithoutCipher()
{
    QFETCH(QString, codec);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("a")) && dir.mkdir(QStringLiteral("b")));
    const QString input = dir.filePath(QStringLiteral("input.txt"));
    QVERIFY(makeInput(input, DataKind::Compressible, 7 * kChunk + 99, 3));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));

    Governor governor(testConfig());
    Engine engine(governor);
    const CodecSpec spec = codecFrom(codec);
    const FileReport one
        = runOne(engine, input, packSettings(spec, CipherId::None, {}, kChunk, dir.filePath(QStringLiteral("a"))));
    const FileReport two
        = runOne(engine, input, packSettings(spec, CipherId::None, {}, kChunk, dir.filePath(QStringLiteral("b"))));
    QVERIFY2(one.state == FileState::Done, qPrintable(describe(one)));
    QVERIFY2(two.state == FileState::Done, qPrintable(describe(two)));
    const QByteArray a = readFileBytes(one.output);
    const QByteArray b = readFileBytes(two.output);
    QVERIFY(!a.isEmpty());
    QCOMPARE(a.size(), b.size());
    QVERIFY(a == b);
}

void TestEngine::encryptedDifferOnlyInSalts_data()
{
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<int>("keys");
    QTest::newRow("chacha20/keychain") << QStringLiteral("chacha20") << int(KeyKind::Keychain);
    QTest::newRow("aes256gcm/keychain") << QStringLiteral("aes256gcm") << int(KeyKind::Keychain);
    QTest::newRow("chacha20/passphrase") << QStringLiteral("chacha20") << int(KeyKind::Passphrase);
}

void TestEngine::encryptedDifferOnlyInSalts()
{
    QFETCH(QString, cipher);
    QFETCH(int, keys);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("a")) && dir.mkdir(QStringLiteral("b")));
    const QString input = dir.filePath(QStringLiteral("input.txt"));
    QVERIFY(makeInput(input, DataKind::Compressible, 4 * kChunk + 5, 5));

    const KeyMaterial km = KeyKind(keys) == KeyKind::Keychain
        ? KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId())
        : KeyMaterial::fromPassphrase(QStringLiteral("open sesame"), cheapScrypt());
    Governor governor(testConfig());
    Engine engine(governor);
    const auto settingsFor = [&](const QString &sub) {
        return packSettings(CodecSpec{CodecId::Zstd, 3}, cipherFrom(cipher), km, kChunk, dir.filePath(sub));
    };
    const FileReport one = runOne(engine, input, settingsFor(QStringLiteral("a")));
    const FileReport two = runOne(engine, input, settingsFor(QStringLiteral("b")));
    QVERIFY2(one.state == FileState::Done, qPrintable(describe(one)));
    QVERIFY2(two.state == FileState::Done, qPrintable(describe(two)));
    const QByteArray a = readFileBytes(one.output);
    const QByteArray b = readFileBytes(two.output);
    QCOMPARE(a.size(), b.size());
    QVERIFY(a != b);

    const ContainerLayout la = parseContainer(a);
    const ContainerLayout lb = parseContainer(b);
    QVERIFY2(la.ok && lb.ok, qPrintable(la.error + lb.error));
    QVERIFY(la.header.fileSalt != lb.header.fileSalt);
    // Same job: the same job salt (passphrase) and key id (keychain).
    QVERIFY(la.header.jobSalt == lb.header.jobSalt);
    QVERIFY(la.header.keyId == lb.header.keyId);
    // With b's file salt, a's header encodes to b's header byte for byte.
    fgc::Header h = la.header;
    h.fileSalt = lb.header.fileSalt;
    QVERIFY(fgc::encodeHeader(h, nullptr) == lb.headerBytes(b));
    // The record structure is the same; the ciphertext differs in every chunk.
    QCOMPARE(la.chunks.size(), lb.chunks.size());
    const std::size_t prefix = fgc::chunkRecordPrefixSize(la.header);
    for (int i = 0; i < la.chunks.size(); ++i) {
        const QByteArray ca = la.chunkBytes(a, i);
        const QByteArray cb = lb.chunkBytes(b, i);
        QCOMPARE(ca.size(), cb.size());
        QVERIFY(ca.left(qsizetype(prefix)) == cb.left(qsizetype(prefix)));
        QVERIFY(ca.mid(qsizetype(prefix)) != cb.mid(qsizetype(prefix)));
    }
    QVERIFY(la.trailerBytes(a) != lb.trailerBytes(b));
}

// --- --force ---------------------------------------------------------------------------

void TestEngine::existingOutputNeedsForce_data()
{
    QTest::addColumn<bool>("restore");
    QTest::newRow("pack") << false;
    QTest::newRow("restore") << true;
}

void TestEngine::existingOutputNeedsForce()
{
    QFETCH(bool, restore);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("in")) && dir.mkdir(QStringLiteral("packed")) && dir.mkdir(QStringLiteral("out")));
    const QString input = dir.filePath(QStringLiteral("in/report.txt"));
    QVERIFY(makeInput(input, DataKind::Compressible, 3 * kChunk + 17, 9));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));
    const KeyMaterial km = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    Governor governor(testConfig());
    Engine engine(governor);
    const JobSettings pack = packSettings(
        CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, km, kChunk, dir.filePath(QStringLiteral("packed")));
    const QString container = dir.filePath(QStringLiteral("packed/report.txt.fgc"));

    QString existing;
    FileReport first;
    JobSettings settings;
    QString source;
    if (restore) {
        const FileReport packed = runOne(engine, input, pack);
        QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
        existing = dir.filePath(QStringLiteral("out/report.txt"));
        settings = restoreSettings(JobMode::Restore, km, dir.filePath(QStringLiteral("out")));
        source = container;
    } else {
        existing = container;
        settings = pack;
        source = input;
    }
    QVERIFY(writeFileBytes(existing, QByteArrayLiteral("precious existing content\n")));
    QVERIFY(setModeAndMtime(existing, 0600, kOldMtimeNs + 1000));
    const FileStamp existingBefore = stampOf(existing);

    first = runOne(engine, source, settings);
    QCOMPARE(first.state, FileState::Failed);
    QCOMPARE(first.errorKind, ErrorKind::Io);
    QVERIFY2(first.error.contains(existing) && first.error.contains(QLatin1String("already exists")),
        qPrintable(first.error));
    QCOMPARE(stampOf(existing), existingBefore);
    QCOMPARE(partFilesUnder(root.path()), QStringList());

    settings.force = true;
    const FileReport second = runOne(engine, source, settings);
    QVERIFY2(second.state == FileState::Done, qPrintable(describe(second)));
    QCOMPARE(second.output, existing);
    QCOMPARE(partFilesUnder(root.path()), QStringList());
    if (restore) {
        const FileStamp now = stampOf(existing);
        QCOMPARE(now.sha256, stampOf(input).sha256);
        QCOMPARE(now.mode, 0640u);
        QCOMPARE(now.mtimeNs, kOldMtimeNs);
    } else {
        const ContainerLayout l = parseContainer(readFileBytes(existing));
        QVERIFY2(l.ok, qPrintable(l.error));
        QCOMPARE(second.sha256, stampOf(input).sha256);
    }
}

// --- stored names ----------------------------------------------------------------------

void TestEngine::storedNameCannotEscape_data()
{
    QTest::addColumn<QString>("storedName");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("plain (control)") << QStringLiteral("renamed.txt") << true;
    QTest::newRow("../evil") << QStringLiteral("../evil") << false;
    QTest::newRow("a/b") << QStringLiteral("a/b") << false;
    QTest::newRow("absolute") << QStringLiteral("@ROOT@/outside/evil") << false;
    QTest::newRow("..") << QStringLiteral("..") << false;
    QTest::newRow(".") << QStringLiteral(".") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("NUL") << QStringLiteral("evil") + QChar(0) + QStringLiteral("x") << false;
    QTest::newRow("too long") << QString(fgc::kMaxNameBytes + 1, QLatin1Char('n')) << false;
}

void TestEngine::storedNameCannotEscape()
{
    QFETCH(QString, storedName);
    QFETCH(bool, accepted);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    storedName.replace(QStringLiteral("@ROOT@"), root.path());
    QVERIFY(
        dir.mkdir(QStringLiteral("in")) && dir.mkpath(QStringLiteral("out/a")) && dir.mkdir(QStringLiteral("outside")));
    const QString input = dir.filePath(QStringLiteral("in/plain.txt"));
    QVERIFY(makeInput(input, DataKind::Compressible, 2 * kChunk + 3, 13));

    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport packed
        = runOne(engine, input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, {}));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
    const QByteArray good = readFileBytes(packed.output);
    const ContainerLayout layout = parseContainer(good);
    QVERIFY2(layout.ok, qPrintable(layout.error));

    // A container that is well-formed in every other way (CRCs and the
    // trailer check recomputed for the patched header).
    fgc::Header h = layout.header;
    h.name = storedName;
    const QByteArray crafted = rebuildUnencrypted(good, layout, h);
    const QString craftedPath = dir.filePath(QStringLiteral("in/crafted.fgc"));
    QVERIFY(writeFileBytes(craftedPath, crafted));
    QVERIFY(QFile::remove(packed.output));
    const QStringList filesBefore = filesUnder(root.path());

    for (const JobMode mode : {JobMode::Verify, JobMode::Restore}) {
        const FileReport r
            = runOne(engine, craftedPath, restoreSettings(mode, {}, dir.filePath(QStringLiteral("out"))));
        if (accepted) {
            QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
            continue;
        }
        QCOMPARE(r.state, FileState::Failed);
        QCOMPARE(r.errorKind, ErrorKind::DataIntegrity);
        QVERIFY2(r.error.contains(QLatin1String("file name")), qPrintable(r.error));
        QCOMPARE(filesUnder(root.path()), filesBefore);
    }
    if (accepted) {
        QCOMPARE(sha256HexOfFile(dir.filePath(QStringLiteral("out/renamed.txt"))), stampOf(input).sha256);
    } else {
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("evil"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("out/a/b"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("outside/evil"))));
        QCOMPARE(
            QDir(dir.filePath(QStringLiteral("out"))).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
            QStringList{QStringLiteral("a")});
    }
}

// --- many files ----------------------------------------------------------------------------

void TestEngine::manyFilesAtOnce()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("in")) && dir.mkdir(QStringLiteral("packed")) && dir.mkdir(QStringLiteral("out")));

    constexpr int kSmall = 200;
    const qint64 bigSize = qint64(32 * kMiB) + 1234;
    const QString big = dir.filePath(QStringLiteral("in/big.log"));
    QVERIFY(makeInput(big, DataKind::Compressible, bigSize, 99));
    QStringList inputs{big};
    for (int i = 0; i < kSmall; ++i) {
        const QString path = dir.filePath(QStringLiteral("in/small-%1.bin").arg(i, 3, 10, QLatin1Char('0')));
        const qint64 size = 1 + (i * 977) % (12 * kKiB);
        QVERIFY(makeInput(path, i % 2 ? DataKind::Random : DataKind::Compressible, size, quint64(i)));
        inputs << path;
    }
    QHash<QString, QString> hashes;
    for (const QString &p : std::as_const(inputs))
        hashes.insert(QFileInfo(p).fileName(), sha256HexOfFile(p));

    EngineSignalLog log; // before the engine: it outlives the engine's threads
    Governor governor(testConfig(2));
    governor.setFilesInFlight(4);
    Engine engine(governor);
    log.attach(engine, this);
    const KeyMaterial km = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());

    const auto runAll = [&](const QStringList &paths, const QList<JobSettings> &settings, int *maxCpu, int *maxFiles) {
        QList<int> ids;
        for (int i = 0; i < paths.size(); ++i)
            ids << engine.addFile(paths[i], settings[std::min(i, int(settings.size()) - 1)]);
        // Sample the governor from this thread while the engine runs.
        *maxCpu = 0;
        *maxFiles = 0;
        bool withinLimits = true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
        while (!engine.waitForIdle(std::chrono::milliseconds(1))) {
            const int cpu = governor.cpuTokensInUse();
            const int files = governor.filesInFlight();
            *maxCpu = std::max(*maxCpu, cpu);
            *maxFiles = std::max(*maxFiles, files);
            withinLimits = withinLimits && cpu <= governor.cpuTokensTotal() && files <= 4
                && governor.ioTokensInUse() <= governor.ioTokensTotal();
            if (std::chrono::steady_clock::now() > deadline)
                break;
        }
        return std::make_pair(ids, withinLimits);
    };

    int maxCpu = 0;
    int maxFiles = 0;
    // The big file (added first) with a slow codec: it keeps CPU tokens busy
    // for several times as long as the small files need in all, so the order
    // in which they finish says whether they were starved.
    const QString packed = dir.filePath(QStringLiteral("packed"));
    const QList<JobSettings> packJobs
        = {packSettings(CodecSpec{CodecId::Xz, 6}, CipherId::ChaCha20Poly1305, km, kChunk, packed),
            packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, km, 0, packed)};
    const auto [packIds, packWithin] = runAll(inputs, packJobs, &maxCpu, &maxFiles);
    QVERIFY(engine.isIdle());
    QVERIFY(packWithin);
    QVERIFY2(maxCpu >= 1 && maxCpu <= 2, qPrintable(QString::number(maxCpu)));
    QVERIFY2(maxFiles >= 2 && maxFiles <= 4, qPrintable(QString::number(maxFiles)));
    qInfo("pack: at most %d CPU tokens and %d files in flight observed", maxCpu, maxFiles);
    // Two codecs, 201 files, many pool threads: never more codec contexts
    // than CPU tokens.
    QVERIFY2(engine.codecContextsPeak() >= 1 && engine.codecContextsPeak() <= governor.cpuTokensTotal(),
        qPrintable(QString::number(engine.codecContextsPeak())));

    const int bigId = packIds.first();
    FileReport bigReport;
    for (const int id : packIds) {
        const FileReport r = engine.report(id);
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        QCOMPARE(r.sha256, hashes.value(QFileInfo(r.input).fileName()));
        if (id == bigId)
            bigReport = r;
    }
    // Not starved: every small file, though added after the big one, finished before it.
    QTRY_COMPARE(log.finishedCount(), kSmall + 1); // fileFinished may follow idle by a moment
    {
        const std::vector<FileReport> order = log.finished();
        const auto times = log.finishTimes();
        const auto bigAt = std::find_if(order.begin(), order.end(), [&](const FileReport &r) { return r.id == bigId; })
            - order.begin();
        const auto lastSmallAt = bigAt + 1 == qsizetype(order.size()) ? bigAt - 1 : qsizetype(order.size()) - 1;
        const auto gap = std::chrono::duration<double>(times[std::size_t(bigAt)] - times[std::size_t(lastSmallAt)]);
        qInfo("the big file finished %d of %d, %.2f s after the last small file", int(bigAt) + 1, kSmall + 1,
            gap.count());
        QCOMPARE(order.back().id, bigId);
        log.clearFinished();
    }
    double slowestSmall = 0.0;
    for (const int id : packIds) {
        if (id != bigId)
            slowestSmall = std::max(slowestSmall, engine.report(id).seconds);
    }
    qInfo("big file: %.2f s; slowest small file: %.3f s", bigReport.seconds, slowestSmall);
    QVERIFY(slowestSmall < bigReport.seconds / 2);

    // Restore them all at once too, and compare.
    QStringList containers;
    for (const int id : packIds)
        containers << engine.report(id).output;
    const auto [restoreIds, restoreWithin] = runAll(
        containers, {restoreSettings(JobMode::Restore, km, dir.filePath(QStringLiteral("out")))}, &maxCpu, &maxFiles);
    QVERIFY(restoreWithin);
    QVERIFY2(maxCpu <= 2 && maxFiles <= 4, qPrintable(QStringLiteral("%1 %2").arg(maxCpu).arg(maxFiles)));
    QVERIFY2(engine.codecContextsPeak() <= governor.cpuTokensTotal(),
        qPrintable(QString::number(engine.codecContextsPeak())));
    for (const int id : restoreIds) {
        const FileReport r = engine.report(id);
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        QCOMPARE(sha256HexOfFile(r.output), hashes.value(QFileInfo(r.output).fileName()));
    }
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("out"))).size(), kSmall + 1);
    QCOMPARE(partFilesUnder(root.path()), QStringList());
    QTRY_COMPARE(log.finishedCount(), kSmall + 1);
    QCOMPARE(governor.memoryUsed(), qint64(0));
    QCOMPARE(governor.cpuTokensInUse(), 0);
    QCOMPARE(governor.filesInFlight(), 0);
}

// --- a keychain key still on its way ---------------------------------------------------

namespace {

/// A pack job whose keychain key is still pending, its inputs, and an
/// engine (2 CPU tokens, 2 files in flight) to run it.
struct PendingPack
{
    QTemporaryDir root;
    QString input;
    QString empty;
    QString packed;
    std::shared_ptr<PendingMasterKey> pending = std::make_shared<PendingMasterKey>();
    Governor governor{testConfig(2)};
    Engine engine{governor}; // destroyed first: its threads end before the folder goes
    int bigId = -1;
    int emptyId = -1;

    bool setUp()
    {
        const QDir dir(root.path());
        if (!root.isValid() || !dir.mkdir(QStringLiteral("in")) || !dir.mkdir(QStringLiteral("packed")))
            return false;
        input = dir.filePath(QStringLiteral("in/notes.txt"));
        empty = dir.filePath(QStringLiteral("in/empty.txt"));
        packed = dir.filePath(QStringLiteral("packed"));
        governor.setFilesInFlight(2);
        return makeInput(input, DataKind::Compressible, 6 * kChunk + 5, 41) && writeFileBytes(empty, QByteArray());
    }
    /// Adds both files; true once both CPU tokens hold compressed chunks
    /// that wait for the key.
    bool startAndWaitForTheKey()
    {
        bigId = engine.addFile(input, settings());
        emptyId = engine.addFile(empty, settings());
        return QTest::qWaitFor([this] { return governor.cpuTokensInUse() == 2; }, 20000);
    }
    JobSettings settings() const
    {
        return packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305,
            KeyMaterial::fromPendingMasterKey(pending), kChunk, packed);
    }
};

} // namespace

/// The pack starts before the keychain answers: its chunks are read and
/// compressed, and sealing them (and the header, which names the key) waits.
/// Once the key comes, the containers are the ones that key opens.
void TestEngine::pendingKeychainKey()
{
    PendingPack job;
    QVERIFY(job.setUp());
    Engine &engine = job.engine;
    // Both CPU tokens end up on compressed chunks that wait for the key, and
    // both outputs are open: empty, as neither a header nor a chunk can be
    // written before the key is there.
    QVERIFY(job.startAndWaitForTheKey());
    QTRY_COMPARE_WITH_TIMEOUT(partFilesUnder(job.packed).size(), 2, 20000);
    for (const QString &part : partFilesUnder(job.packed))
        QCOMPARE(QFileInfo(QDir(job.packed).filePath(part)).size(), 0);
    QVERIFY(!engine.isIdle());
    const QString container = QDir(job.packed).filePath(QStringLiteral("notes.txt.fgc"));

    const SecureBytes master = randomMasterKey();
    const QString keyId = randomKeyId();
    job.pending->resolve(std::make_shared<const SecureBytes>(master.clone()), keyId, QString());
    QVERIFY(engine.waitForIdle(std::chrono::seconds(120)));
    for (const int id : {job.bigId, job.emptyId}) {
        const FileReport r = engine.report(id);
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    }
    const ContainerLayout l = parseContainer(readFileBytes(container));
    QVERIFY2(l.ok, qPrintable(l.error));
    QCOMPARE(toHex(l.header.keyId), keyId);
    QCOMPARE(l.chunks.size(), 7);

    const QString out = job.root.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    const JobSettings restore = restoreSettings(JobMode::Restore, keychainKeys(master, keyId), out);
    for (const QString &name : {QStringLiteral("notes.txt"), QStringLiteral("empty.txt")}) {
        const FileReport r = runOne(engine, QDir(job.packed).filePath(name + QStringLiteral(".fgc")), restore);
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        QCOMPARE(readFileBytes(QDir(out).filePath(name)),
            readFileBytes(QDir(job.root.path()).filePath(QStringLiteral("in/") + name)));
    }
}

/// The keychain gives no key: each file that waited for it fails with the
/// keychain's cause and leaves nothing behind.
void TestEngine::pendingKeychainKeyFails()
{
    PendingPack job;
    QVERIFY(job.setUp());
    QVERIFY(job.startAndWaitForTheKey());
    job.pending->resolve(nullptr, QString(), QStringLiteral("no keychain service answered (test)"));
    QVERIFY(job.engine.waitForIdle(std::chrono::seconds(120)));
    for (const int id : {job.bigId, job.emptyId}) {
        const FileReport r = job.engine.report(id);
        QCOMPARE(r.state, FileState::Failed);
        QCOMPARE(r.errorKind, ErrorKind::Key);
        QVERIFY2(r.error.contains(r.input) && r.error.contains(QLatin1String("no keychain service answered (test)")),
            qPrintable(r.error));
    }
    QCOMPARE(filesUnder(job.packed), QStringList());
    QCOMPARE(partFilesUnder(job.root.path()), QStringList());
    QCOMPARE(job.governor.cpuTokensInUse(), 0);
}

/// Cancelling stops the files that wait for the key; nothing is left.
void TestEngine::cancelWhileWaitingForTheKey()
{
    PendingPack job;
    QVERIFY(job.setUp());
    QVERIFY(job.startAndWaitForTheKey());
    job.engine.cancelAll();
    QVERIFY(job.engine.waitForIdle(std::chrono::seconds(60)));
    for (const int id : {job.bigId, job.emptyId})
        QCOMPARE(job.engine.report(id).state, FileState::Cancelled);
    QCOMPARE(filesUnder(job.packed), QStringList());
    QCOMPARE(partFilesUnder(job.root.path()), QStringList());
    QCOMPARE(job.governor.cpuTokensInUse(), 0);
}

/// A key that came before the files started (the reader finishes the header
/// itself), and packs that need no key, which never wait for one.
void TestEngine::pendingKeyAlreadyThereOrNotNeeded()
{
    PendingPack job;
    QVERIFY(job.setUp());
    Engine &engine = job.engine;
    const SecureBytes master = randomMasterKey();
    const QString keyId = randomKeyId();
    job.pending->resolve(std::make_shared<const SecureBytes>(master.clone()), keyId, QString());
    const QString out = job.root.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    for (const QString &input : {job.input, job.empty}) {
        const FileReport packed = runOne(engine, input, job.settings());
        QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
        const ContainerLayout l = parseContainer(readFileBytes(packed.output));
        QVERIFY2(l.ok, qPrintable(l.error));
        QCOMPARE(toHex(l.header.keyId), keyId);
        const FileReport restored
            = runOne(engine, packed.output, restoreSettings(JobMode::Restore, keychainKeys(master, keyId), out));
        QVERIFY2(restored.state == FileState::Done, qPrintable(describe(restored)));
        QCOMPARE(readFileBytes(restored.output), readFileBytes(input));
    }

    // Unencrypted, and the compatible mode: the key (never resolved here) is not waited for.
    auto never = std::make_shared<PendingMasterKey>();
    for (const bool compatible : {false, true}) {
        JobSettings plain = packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, KeyMaterial::none(), kChunk,
            job.root.filePath(compatible ? QStringLiteral("compatible") : QStringLiteral("plain")));
        plain.keys = KeyMaterial::fromPendingMasterKey(never);
        plain.compatible = compatible;
        QVERIFY(QDir().mkpath(plain.outputDir));
        for (const QString &input : {job.input, job.empty}) {
            const FileReport r = runOne(engine, input, plain, std::chrono::seconds(60));
            QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        }
    }
    QVERIFY(!never->isResolved());
}

QTEST_GUILESS_MAIN(TestEngine)
/// waitForIdle() returns only after every finished file's fileFinished() and
/// the idle() signal were emitted: a slow receiver connected directly (it
/// runs on the engine's thread) has seen all of them when the wait returns.
void TestEngine::waitForIdleWaitsForSignals()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QStringList inputs;
    for (int i = 0; i < 3; ++i) {
        inputs << root.filePath(QStringLiteral("f%1.bin").arg(i));
        QVERIFY(makeInput(inputs.last(), DataKind::Compressible, 1000 + i, quint64(i)));
    }
    std::atomic<int> finished{0};
    std::atomic<int> idles{0};
    Governor governor(testConfig());
    Engine engine(governor);
    // Direct: the slots run on the thread that emits, while the engine is
    // already counted as idle. Each takes its time, so a wait that returned
    // before the signals were out would see fewer than three.
    QObject::connect(
        &engine, &Engine::fileFinished, &engine,
        [&finished](const FileReport &) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ++finished;
        },
        Qt::DirectConnection);
    QObject::connect(
        &engine, &Engine::idle, &engine,
        [&idles] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ++idles;
        },
        Qt::DirectConnection);
    const JobSettings settings = packSettings(CodecSpec{CodecId::Zstd, 1}, CipherId::None, {}, 0, {});
    for (const QString &input : std::as_const(inputs))
        engine.addFile(input, settings);
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    QCOMPARE(finished.load(), 3);
    QVERIFY(idles.load() >= 1);
    const auto reports = engine.reports();
    QCOMPARE(reports.size(), 3);
    for (const FileReport &r : reports)
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
}

/// The container keeps every mode bit, but restore leaves out set-user-ID
/// and set-group-ID: a container from elsewhere cannot plant a set-uid
/// program. The other bits, the sticky bit included, come back.
void TestEngine::restoreDropsSetIdBits()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("out")));
    const QString input = dir.filePath(QStringLiteral("tool"));
    QVERIFY(makeInput(input, DataKind::Compressible, 5000, 3));
    QVERIFY(setModeAndMtime(input, 06755 | 01000, kOldMtimeNs));
    QCOMPARE(stampOf(input).mode, 07755u);
    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport packed
        = runOne(engine, input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, 0, {}));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
    QCOMPARE(parseContainer(readFileBytes(packed.output)).header.mode, 07755u);
    const FileReport restored
        = runOne(engine, packed.output, restoreSettings(JobMode::Restore, {}, dir.filePath(QStringLiteral("out"))));
    QVERIFY2(restored.state == FileState::Done, qPrintable(describe(restored)));
    const FileStamp after = stampOf(restored.output);
    QCOMPARE(after.mode, 01755u);
    QCOMPARE(after.mtimeNs, kOldMtimeNs);
    QCOMPARE(after.sha256, stampOf(input).sha256);
}

/// The memory-hard passphrase derivation is paid once per job (passphrase and
/// job salt), not once per file: packing three files derives once, and
/// restoring their containers (which share the job's salt) derives once.
void TestEngine::passphraseDerivedOncePerJob()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("packed")) && dir.mkdir(QStringLiteral("out")));
    const KeyMaterial km = KeyMaterial::fromPassphrase(QStringLiteral("one job, one derivation"), cheapScrypt());
    QStringList inputs;
    for (int i = 0; i < 3; ++i) {
        inputs << dir.filePath(QStringLiteral("f%1.txt").arg(i));
        QVERIFY(makeInput(inputs.last(), DataKind::Compressible, 3000 + i, quint64(i)));
    }
    QStringList containers;
    {
        Governor governor(testConfig());
        Engine engine(governor);
        QCOMPARE(engine.passphraseDerivations(), 0);
        for (const QString &input : std::as_const(inputs))
            engine.addFile(input,
                packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, km, 0,
                    dir.filePath(QStringLiteral("packed"))));
        QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
        for (const FileReport &r : engine.reports()) {
            QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
            containers << r.output;
        }
        QCOMPARE(engine.passphraseDerivations(), 1);
    }
    Governor governor(testConfig());
    Engine engine(governor);
    const KeyMaterial restoreKeys = KeyMaterial::fromPassphrase(QStringLiteral("one job, one derivation"));
    for (const QString &container : std::as_const(containers))
        engine.addFile(container, restoreSettings(JobMode::Restore, restoreKeys, dir.filePath(QStringLiteral("out"))));
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    for (const FileReport &r : engine.reports())
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    QCOMPARE(engine.passphraseDerivations(), 1);
}

#include "tst_engine.moc"
