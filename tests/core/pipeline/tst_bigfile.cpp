// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// One file over 2 GiB (2 GiB + 12345 bytes), generated on the fly as a sparse
// file with random 1 MiB blocks every 64 MiB, packed with zstd:1 +
// ChaCha20-Poly1305 and restored byte-identical, with the governor's memory
// peak bounded by the chunks in flight and the process peak RSS by chunk size x
// (CPU tokens + 2) + 64 MiB. Label "bigfile"; needs 6 GiB free in
// the temporary folder (the test fails, with the reason, when it is not).

#include "codec/codec.h"
#include "crypto/aead.h"
#include "enginetesthelpers.h"
#include "governor/governor.h"
#include "pipeline/engine.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

using namespace flowgate;
using namespace flowgate::testing;

namespace {

constexpr qint64 kGiB = qint64(1) << 30;
constexpr qint64 kSize = 2 * kGiB + 12345;
constexpr qint64 kBlock = qint64(kMiB);
constexpr qint64 kStride = 64 * qint64(kMiB);
constexpr qint64 kNeededFree = 6 * kGiB;

QString describe(const FileReport &r)
{
    return QStringLiteral("%1 %2: state %3, error %4: %5")
        .arg(jobModeName(r.mode), r.input, fileStateName(r.state), errorKindName(r.errorKind), r.error);
}

/// The largest governor memory one file may hold: its chunks in flight (at
/// most CPU tokens + 1, and at most the per-file workers), each with its input
/// and its output buffer (engine.cpp's admit()).
/// What one zstd context of this level keeps after a chunk of a few MiB.
qint64 zstdContextBytes(int level)
{
    const auto c = makeCompressor(CodecSpec{CodecId::Zstd, level});
    Bytes out;
    const std::vector<std::uint8_t> in(std::size_t(4 * kMiB), 7);
    if (!c || !c->compress(in.data(), in.size(), out, nullptr))
        return -1;
    return qint64(c->memoryBytes());
}

/// The chunk buffers in flight, plus a codec context per CPU token (the
/// engine lends one per chunk being compressed).
qint64 memoryBound(const Governor &governor, quint32 chunkSize, int level)
{
    const qint64 perChunk
        = qint64(chunkSize) + qint64(compressBound(CodecId::Zstd, chunkSize)) + qint64(kAeadTagSize) + 64;
    return qint64(std::min(governor.perFileWorkers(), governor.cpuTokensTotal() + 1)) * perChunk
        + governor.cpuTokensTotal() * zstdContextBytes(level);
}

/// The bound on the process's peak RSS: chunk size x (CPU tokens + 2) + 64 MiB.
double rssBoundMiB(const Governor &governor, quint32 chunkSize)
{
    return double(chunkSize) / double(kMiB) * (governor.cpuTokensTotal() + 2) + 64.0;
}

double peakRssMiB()
{
    struct rusage usage
    {
    };
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

} // namespace

class TestBigFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void packAndRestoreOver2GiB();
};

void TestBigFile::packAndRestoreOver2GiB()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QStorageInfo storage(root.path());
    const qint64 available = storage.bytesAvailable();
    if (available < kNeededFree) {
        QFAIL(qPrintable(QStringLiteral("tst_bigfile needs %1 GiB free in %2 (the input is sparse, but the container "
                                        "and the restored copy are not); only %3 MiB are available. Free some space "
                                        "or point TMPDIR at a larger file system.")
                             .arg(kNeededFree / kGiB)
                             .arg(root.path())
                             .arg(available / qint64(kMiB))));
    }
    const QDir dir(root.path());
    QVERIFY(dir.mkdir(QStringLiteral("in")) && dir.mkdir(QStringLiteral("packed")) && dir.mkdir(QStringLiteral("out")));

    // Generate: a hole of kSize bytes with random 1 MiB blocks every 64 MiB and random bytes at the very end.
    const QString input = dir.filePath(QStringLiteral("in/big.img"));
    {
        QFile f(input);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QVERIFY(f.resize(kSize));
        quint64 seed = 1;
        for (qint64 at = 0; at < kSize; at += kStride) {
            const qint64 n = std::min(kBlock, kSize - at);
            QVERIFY(f.seek(at));
            QCOMPARE(f.write(randomData(n, seed++)), n);
        }
        QVERIFY(f.seek(kSize - 12345));
        QCOMPARE(f.write(randomData(12345, seed)), qint64(12345));
        QVERIFY(f.flush());
    }
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));
    QCOMPARE(QFileInfo(input).size(), kSize);
    QElapsedTimer timer;
    timer.start();
    const QString inputSha = sha256HexOfFile(input);
    QCOMPARE(inputSha.size(), 64);
    qInfo("input: %lld bytes, SHA-256 %s (%.1f s)", kSize, qPrintable(inputSha), double(timer.restart()) / 1000.0);

    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    JobSettings pack;
    pack.mode = JobMode::Pack;
    pack.codec = CodecSpec{CodecId::Zstd, 1};
    pack.cipher = CipherId::ChaCha20Poly1305;
    pack.keys = keys;
    pack.outputDir = dir.filePath(QStringLiteral("packed"));

    // Pack (automatic chunk size: 64 MiB above 500 MiB).
    QString container;
    {
        Governor governor(testConfig(2));
        Engine engine(governor);
        const FileReport r = runOne(engine, input, pack, std::chrono::minutes(10));
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        QCOMPARE(r.chunkSize, quint32(64 * kMiB));
        QCOMPARE(r.chunks, quint64((kSize + r.chunkSize - 1) / r.chunkSize));
        QCOMPARE(r.originalSize, quint64(kSize));
        QCOMPARE(r.sha256, inputSha);
        QVERIFY(r.ratio > 0.0 && r.ratio < 0.1); // mostly holes
        container = r.output;
        QCOMPARE(QFileInfo(container).size(), qint64(r.outputSize));
        const qint64 peak = governor.memoryPeak();
        const qint64 bound = memoryBound(governor, r.chunkSize, 1);
        qInfo("pack: %.1f s, container %llu bytes, governor memory peak %.1f MiB (bound %.1f MiB), process peak RSS "
              "%.0f MiB",
            r.seconds, r.outputSize, double(peak) / double(kMiB), double(bound) / double(kMiB), peakRssMiB());
        QVERIFY(peak >= qint64(r.chunkSize));
        QVERIFY2(peak <= bound, qPrintable(QStringLiteral("peak %1 > bound %2").arg(peak).arg(bound)));
        QVERIFY2(peakRssMiB() < rssBoundMiB(governor, r.chunkSize),
            qPrintable(QStringLiteral("peak RSS %1 MiB").arg(peakRssMiB())));
        QTRY_COMPARE(governor.memoryUsed(), qint64(0));
    }

    // Restore, with a fresh governor so its peak is the restore's own.
    {
        Governor governor(testConfig(2));
        Engine engine(governor);
        const FileReport r = runOne(engine, container,
            restoreSettings(JobMode::Restore, keys, dir.filePath(QStringLiteral("out"))), std::chrono::minutes(10));
        QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
        QCOMPARE(r.sha256, inputSha);
        QCOMPARE(r.outputSize, quint64(kSize));
        const qint64 peak = governor.memoryPeak();
        const qint64 bound = memoryBound(governor, r.chunkSize, 1);
        qInfo("restore: %.1f s, governor memory peak %.1f MiB (bound %.1f MiB), process peak RSS %.0f MiB", r.seconds,
            double(peak) / double(kMiB), double(bound) / double(kMiB), peakRssMiB());
        QVERIFY(peak >= qint64(r.chunkSize));
        QVERIFY2(peak <= bound, qPrintable(QStringLiteral("peak %1 > bound %2").arg(peak).arg(bound)));
        QVERIFY2(peakRssMiB() < rssBoundMiB(governor, r.chunkSize),
            qPrintable(QStringLiteral("peak RSS %1 MiB").arg(peakRssMiB())));
        QTRY_COMPARE(governor.memoryUsed(), qint64(0));
    }

    // Compare: a streaming SHA-256 of the restored copy, its size, mode and mtime.
    const QString output = dir.filePath(QStringLiteral("out/big.img"));
    timer.restart();
    const FileStamp restored = stampOf(output);
    QCOMPARE(restored.size, quint64(kSize));
    QCOMPARE(restored.sha256, inputSha);
    QCOMPARE(restored.mode, 0640u);
    QCOMPARE(restored.mtimeNs, kOldMtimeNs);
    qInfo("restored copy hashed in %.1f s", double(timer.elapsed()) / 1000.0);
    QCOMPARE(partFilesUnder(root.path()), QStringList());

    // Give the space back at once.
    QVERIFY(QFile::remove(output));
    QVERIFY(QFile::remove(container));
    QVERIFY(QFile::remove(input));
    QCOMPARE(filesUnder(root.path()), QStringList());
}

QTEST_GUILESS_MAIN(TestBigFile)
#include "tst_bigfile.moc"
