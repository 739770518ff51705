// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Faults through posix::setFaultHook (a failing device, a full disk, a file
// that changes while it is read), cancellation, pause and resume, and inputs
// that are not regular files. Whatever happens: a clear error of the right
// kind naming the file, no output under a final name, no temporary file left,
// and every governor permit back.

#include "codec/codec.h"
#include "crypto/aead.h"
#include "enginetesthelpers.h"
#include "governor/governor.h"
#include "pipeline/buffer.h"
#include "pipeline/engine.h"
#include "pipeline/posixfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace flowgate;
using namespace flowgate::testing;

namespace {

constexpr quint32 kChunk = 64 * kKiB;

QString describe(const FileReport &r)
{
    return QStringLiteral("%1 %2: state %3, error %4: %5")
        .arg(jobModeName(r.mode), r.input, fileStateName(r.state), errorKindName(r.errorKind), r.error);
}

/// The canonical path, as posix::pathOfFd() reports an open file.
QString canonical(const QString &path)
{
    return QFileInfo(path).canonicalFilePath();
}

/// Whether files in dir take direct (O_DIRECT) writes: restore uses them
/// where they work.
bool directIoWorksIn(const QString &dir)
{
    const QString probe = QDir(dir).filePath(QStringLiteral("direct-probe"));
    const int fd = ::open(QFile::encodeName(probe).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    Buffer page(Buffer::kAlignment);
    std::memset(page.data(), 0, page.capacity());
    const bool works
        = posix::setDirect(fd, true) && ::write(fd, page.data(), page.capacity()) == ssize_t(page.capacity());
    ::close(fd);
    QFile::remove(probe);
    return works;
}

bool isTemporaryOf(const QString &fdPath, const QString &finalName)
{
    const QString name = QFileInfo(fdPath).fileName();
    return name.startsWith(QLatin1Char('.') + finalName + QLatin1Char('.')) && name.endsWith(QLatin1String(".part"));
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void readErrorMidFile_data();
    void readErrorMidFile();
    void diskFull_data();
    void diskFull();
    void changedWhileRead_data();
    void changedWhileRead();
    void changedAfterReaderFinished();
    void cancelMidFile_data();
    void cancelMidFile();
    void cancelQueuedFile();
    void pauseAndResume_data();
    void pauseAndResume();
    void pauseQueuedFile();
    void resumedFileKeepsItsPlace();
    void pauseFinishedFileChangesNothing();
    void notARegularFile_data();
    void notARegularFile();
    void restoreWritesDirectly();
    void staleTemporariesRemoved();
    void directWriteRefusedFallsBack();

private:
    QString path(const QString &relative) const { return QDir(m_root->path()).filePath(relative); }
    /// Packs an input (for the restore cases) without any hook.
    FileReport packPlain(
        const QString &input, const QString &outDir, const KeyMaterial &keys, quint32 chunkSize = kChunk);
    /// A pack whose input changed while it was read: failed, naming the
    /// input and the cause, and nothing in out/.
    void expectChangedWhileRead(const FileReport &r, const QString &input) const;
    /// Restores a container into outDir (any hook stays in place).
    FileReport restorePlain(const QString &container, const QString &outDir, const KeyMaterial &keys);

    std::unique_ptr<QTemporaryDir> m_root;
};

void TestFaults::init()
{
    m_root = std::make_unique<QTemporaryDir>();
    QVERIFY(m_root->isValid());
    QDir dir(m_root->path());
    QVERIFY(dir.mkdir(QStringLiteral("in")) && dir.mkdir(QStringLiteral("packed")) && dir.mkdir(QStringLiteral("out")));
}

void TestFaults::cleanup()
{
    posix::setFaultHook({});
    if (m_root) // never a temporary output left behind, whatever the test did
        QCOMPARE(partFilesUnder(m_root->path()), QStringList());
    m_root.reset();
}

void TestFaults::expectChangedWhileRead(const FileReport &r, const QString &input) const
{
    QCOMPARE(r.state, FileState::Failed);
    QCOMPARE(r.errorKind, ErrorKind::Input);
    QVERIFY2(
        r.error.contains(input) && r.error.contains(QLatin1String("changed while being read")), qPrintable(r.error));
    QCOMPARE(filesUnder(path(QStringLiteral("out"))), QStringList());
}

FileReport TestFaults::packPlain(
    const QString &input, const QString &outDir, const KeyMaterial &keys, quint32 chunkSize)
{
    Governor governor(testConfig());
    Engine engine(governor);
    return runOne(
        engine, input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys, chunkSize, outDir));
}

FileReport TestFaults::restorePlain(const QString &container, const QString &outDir, const KeyMaterial &keys)
{
    Governor governor(testConfig());
    Engine engine(governor);
    return runOne(engine, container, restoreSettings(JobMode::Restore, keys, outDir));
}

// --- a failing device -----------------------------------------------------------------------

void TestFaults::readErrorMidFile_data()
{
    QTest::addColumn<bool>("restore");
    QTest::addColumn<quint32>("chunk");
    QTest::addColumn<quint64>("size");
    QTest::addColumn<quint64>("failFrom"); // pack only; restore fails from the middle of the container
    QTest::newRow("pack") << false << quint32(kChunk) << quint64(6 * kChunk + 10) << quint64(2 * kChunk);
    QTest::newRow("restore") << true << quint32(kChunk) << quint64(6 * kChunk + 10) << quint64(0);
    // 8 MiB chunks: with CPU tokens free at the start, the first chunk is read
    // in two halves at once; the error is in the second half.
    constexpr quint32 big = 8u << 20;
    QTest::newRow("pack, chunk read in two halves")
        << false << big << quint64(2 * quint64(big) + 10) << quint64(big / 2 + (1u << 20));
}

void TestFaults::readErrorMidFile()
{
    QFETCH(bool, restore);
    QFETCH(quint32, chunk);
    QFETCH(quint64, size);
    QFETCH(quint64, failFrom);
    const QString input = path(QStringLiteral("in/data.txt"));
    QVERIFY(writeFileBytes(input, compressibleData(qsizetype(size), 1)));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));
    const FileStamp inputBefore = stampOf(input);
    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());

    QString source = input;
    JobSettings settings = packSettings(
        CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys, chunk, path(QStringLiteral("out")));
    QString finalOutput = path(QStringLiteral("out/data.txt.fgc"));
    if (restore) {
        const FileReport packed = packPlain(input, path(QStringLiteral("packed")), keys);
        QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
        source = packed.output;
        settings = restoreSettings(JobMode::Restore, keys, path(QStringLiteral("out")));
        finalOutput = path(QStringLiteral("out/data.txt"));
    }
    const FileStamp sourceBefore = stampOf(source);

    // Pack: from failFrom on; restore: from the middle of the container on.
    if (restore)
        failFrom = sourceBefore.size / 2;
    const QString victim = canonical(source);
    std::atomic<int> injected{0};
    posix::setFaultHook([victim, failFrom, &injected](posix::Operation op, int fd, quint64 offset, std::size_t) {
        if (op == posix::Operation::Read && offset >= failFrom && posix::pathOfFd(fd) == victim) {
            ++injected;
            return EIO;
        }
        return 0;
    });
    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport r = runOne(engine, source, settings);
    posix::setFaultHook({});

    QVERIFY(injected.load() >= 1);
    QCOMPARE(r.state, FileState::Failed);
    QCOMPARE(r.errorKind, ErrorKind::Input);
    QVERIFY2(r.error.contains(source), qPrintable(r.error));
    QVERIFY2(r.error.contains(posix::errnoText(EIO)), qPrintable(r.error));
    QVERIFY(!QFileInfo::exists(finalOutput));
    QCOMPARE(filesUnder(path(QStringLiteral("out"))), QStringList());
    QCOMPARE(stampOf(source), sourceBefore);
    QCOMPARE(stampOf(input), inputBefore);
    QTRY_COMPARE(governor.memoryUsed(), qint64(0));
    QCOMPARE(governor.cpuTokensInUse(), 0);
    QCOMPARE(governor.ioTokensInUse(), 0);
}

// --- a full disk ----------------------------------------------------------------------------------

void TestFaults::diskFull_data()
{
    QTest::addColumn<bool>("restore");
    QTest::addColumn<int>("failingWrite"); // the Nth write to the victim's output fails, and every one after
    QTest::newRow("pack/first write") << false << 1;
    QTest::newRow("pack/third write") << false << 3;
    QTest::newRow("pack/tenth write") << false << 10;
    QTest::newRow("restore/first write") << true << 1;
    QTest::newRow("restore/third write") << true << 3;
}

void TestFaults::diskFull()
{
    QFETCH(bool, restore);
    QFETCH(int, failingWrite);
    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    QStringList inputs;
    for (const QString &name :
        {QStringLiteral("first.txt"), QStringLiteral("victim.txt"), QStringLiteral("last.txt")}) {
        const QString p = path(QStringLiteral("in/") + name);
        QVERIFY(writeFileBytes(p, compressibleData(8 * kChunk + 321, qHash(name))));
        inputs << p;
    }
    QStringList sources = inputs;
    JobSettings settings = packSettings(
        CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys, kChunk, path(QStringLiteral("out")));
    QString victimOutput = QStringLiteral("victim.txt.fgc");
    if (restore) {
        sources.clear();
        for (const QString &p : std::as_const(inputs)) {
            const FileReport packed = packPlain(p, path(QStringLiteral("packed")), keys);
            QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
            sources << packed.output;
        }
        settings = restoreSettings(JobMode::Restore, keys, path(QStringLiteral("out")));
        victimOutput = QStringLiteral("victim.txt");
    }

    std::atomic<int> writes{0};
    std::atomic<int> injected{0};
    posix::setFaultHook([&, victimOutput](posix::Operation op, int fd, quint64, std::size_t) {
        if (op != posix::Operation::Write || !isTemporaryOf(posix::pathOfFd(fd), victimOutput))
            return 0;
        if (++writes >= failingWrite) {
            ++injected;
            return ENOSPC;
        }
        return 0;
    });
    Governor governor(testConfig());
    Engine engine(governor);
    QList<int> ids;
    for (const QString &s : std::as_const(sources))
        ids << engine.addFile(s, settings);
    QVERIFY(engine.waitForIdle(std::chrono::minutes(2)));
    posix::setFaultHook({});
    QVERIFY(injected.load() >= 1);

    for (int i = 0; i < ids.size(); ++i) {
        const FileReport r = engine.report(ids[i]);
        if (i == 1) {
            QCOMPARE(r.state, FileState::Failed);
            QCOMPARE(r.errorKind, ErrorKind::Io);
            QVERIFY2(r.error.contains(QLatin1String("full")), qPrintable(r.error));
            QVERIFY2(r.error.contains(path(QStringLiteral("out/")) + victimOutput) || r.error.contains(victimOutput),
                qPrintable(r.error));
            QVERIFY(!QFileInfo::exists(path(QStringLiteral("out/")) + victimOutput));
        } else { // the other files of the run carry on
            QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
            QVERIFY(QFileInfo::exists(r.output));
        }
    }
    QCOMPARE(filesUnder(path(QStringLiteral("out"))).size(), 2);
    if (restore) {
        QCOMPARE(sha256HexOfFile(path(QStringLiteral("out/first.txt"))), sha256HexOfFile(inputs[0]));
        QCOMPARE(sha256HexOfFile(path(QStringLiteral("out/last.txt"))), sha256HexOfFile(inputs[2]));
    }
    QTRY_COMPARE(governor.memoryUsed(), qint64(0));
    QCOMPARE(governor.ioTokensInUse(), 0);
}

// --- a file that changes while it is read ----------------------------------------------------------

void TestFaults::changedWhileRead_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<quint32>("chunk");
    // Chunks of 1 MiB and more are read as views of the file (FileMapping),
    // smaller ones with pread().
    for (const quint32 chunk : {kChunk, quint32(1u << 20)}) {
        const char *how = chunk < (1u << 20) ? "read" : "mapped";
        QTest::addRow("append, %s", how) << QStringLiteral("append") << chunk;
        QTest::addRow("rewrite, same size, %s", how) << QStringLiteral("rewrite") << chunk;
        QTest::addRow("truncate, %s", how) << QStringLiteral("truncate") << chunk;
        // The first chunk was read already; a mapping of it loses pages.
        QTest::addRow("truncate into the first chunk, %s", how) << QStringLiteral("truncate-first") << chunk;
        QTest::addRow("touch (mtime only), %s", how) << QStringLiteral("touch") << chunk;
    }
}

void TestFaults::changedWhileRead()
{
    QFETCH(QString, change);
    QFETCH(quint32, chunk);
    const QString input = path(QStringLiteral("in/live.log"));
    const qint64 size = 6 * qint64(chunk) + 99;
    QVERIFY(writeFileBytes(input, compressibleData(size, 2)));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs)); // any change moves the mtime to now

    const QString victim = canonical(input);
    std::atomic<bool> changed{false};
    std::atomic<int> failures{0};
    posix::setFaultHook([&, victim, change, input](posix::Operation op, int fd, quint64 offset, std::size_t) {
        if (op != posix::Operation::Read || offset < chunk || changed.load() || posix::pathOfFd(fd) != victim)
            return 0;
        changed = true;
        const QByteArray native = QFile::encodeName(input);
        if (change == QLatin1String("append")) {
            QFile f(input);
            if (!f.open(QIODevice::Append) || f.write(QByteArray(1000, 'x')) != 1000)
                ++failures;
        } else if (change == QLatin1String("rewrite")) {
            QFile f(input);
            if (!f.open(QIODevice::ReadWrite) || f.write(QByteArray(100, 'y')) != 100)
                ++failures;
        } else if (change == QLatin1String("truncate")) {
            if (::truncate(native.constData(), off_t(chunk + chunk / 2)) != 0)
                ++failures;
        } else if (change == QLatin1String("truncate-first")) {
            if (::truncate(native.constData(), off_t(chunk / 2)) != 0)
                ++failures;
        } else if (::utimensat(AT_FDCWD, native.constData(), nullptr, 0) != 0) { // touch
            ++failures;
        }
        return 0;
    });
    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport r = runOne(engine, input,
        packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, chunk, path(QStringLiteral("out"))));
    posix::setFaultHook({});
    QVERIFY(changed.load());
    QCOMPARE(failures.load(), 0);
    expectChangedWhileRead(r, input);
}

/// Chunks of 1 MiB and more are views of the input file: the workers read it
/// after the reader has finished (and checked the file once more). A change
/// then is caught when the file is finished, before the output is published.
void TestFaults::changedAfterReaderFinished()
{
    constexpr quint32 chunk = 1024 * 1024; // mapped, not copied
    const QString input = path(QStringLiteral("in/late.log"));
    QVERIFY(writeFileBytes(input, compressibleData(2 * qint64(chunk), 4)));
    QVERIFY(setModeAndMtime(input, 0640, kOldMtimeNs));
    const QString output = canonical(path(QStringLiteral("out")));
    std::atomic<bool> changed{false};
    std::atomic<int> failures{0};
    // When the first chunk is written, the reader is long done: touch the input.
    posix::setFaultHook([&](posix::Operation op, int fd, quint64, std::size_t size) {
        if (op != posix::Operation::Write || size < 1000 || changed.load() || !posix::pathOfFd(fd).startsWith(output))
            return 0;
        changed = true;
        if (::utimensat(AT_FDCWD, QFile::encodeName(input).constData(), nullptr, 0) != 0)
            ++failures;
        return 0;
    });
    Governor governor(testConfig(1));
    Engine engine(governor);
    // The one CPU token stays here until the reader has both chunks out to
    // the workers (it checks the file right after the last one).
    Permit hog = governor.acquireCpu();
    QVERIFY(hog);
    const int id = engine.addFile(
        input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, chunk, path(QStringLiteral("out"))));
    QTRY_COMPARE(governor.cpuPool().waiters(), 2);
    hog = Permit();
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    posix::setFaultHook({});
    const FileReport r = engine.report(id);
    QVERIFY(changed.load());
    QCOMPARE(failures.load(), 0);
    expectChangedWhileRead(r, input);
}

// --- cancellation -----------------------------------------------------------------------------------

void TestFaults::cancelMidFile_data()
{
    QTest::addColumn<bool>("restore");
    QTest::addColumn<bool>("all");
    QTest::newRow("pack/cancel(id)") << false << false;
    QTest::newRow("pack/cancelAll") << false << true;
    QTest::newRow("restore/cancel(id)") << true << false;
    QTest::newRow("restore/cancelAll") << true << true;
}

void TestFaults::cancelMidFile()
{
    QFETCH(bool, restore);
    QFETCH(bool, all);
    const QString input = path(QStringLiteral("in/long.txt"));
    const qint64 size = 128 * qint64(kChunk) + 5; // many chunks
    QVERIFY(writeFileBytes(input, compressibleData(size, 3)));
    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    QString source = input;
    JobSettings settings = packSettings(
        CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys, kChunk, path(QStringLiteral("out")));
    QString finalOutput = path(QStringLiteral("out/long.txt.fgc"));
    if (restore) {
        const FileReport packed = packPlain(input, path(QStringLiteral("packed")), keys);
        QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));
        source = packed.output;
        settings = restoreSettings(JobMode::Restore, keys, path(QStringLiteral("out")));
        finalOutput = path(QStringLiteral("out/long.txt"));
    }

    EngineSignalLog log; // before the engine: it outlives the engine's threads
    Governor governor(testConfig(1)); // one CPU token: slow-ish
    Engine engine(governor);
    // Cancel from the thread that reports the first progress (any thread may).
    log.onFirstProgress = [&engine, all](int id) {
        if (all)
            engine.cancelAll();
        else
            engine.cancel(id);
    };
    log.attach(engine, this);
    const int id = engine.addFile(source, settings);
    QVERIFY(engine.waitForIdle(std::chrono::minutes(2)));

    const FileReport r = engine.report(id);
    QCOMPARE(r.state, FileState::Cancelled);
    QCOMPARE(r.errorKind, ErrorKind::Cancelled);
    QVERIFY(log.progressCount() >= 1);
    // Within a chunk or so: one CPU token -> far from done.
    QVERIFY2(log.lastDone() <= 8 * quint64(kChunk), qPrintable(QString::number(log.lastDone())));
    QVERIFY(!QFileInfo::exists(finalOutput));
    QCOMPARE(filesUnder(path(QStringLiteral("out"))), QStringList());
    QCOMPARE(partFilesUnder(m_root->path()), QStringList());
    QTRY_COMPARE(log.finishedCount(), 1);
    QCOMPARE(log.lastState(id), FileState::Cancelled);
    // Every permit back once idle.
    QCOMPARE(governor.memoryUsed(), qint64(0));
    QCOMPARE(governor.cpuTokensInUse(), 0);
    QCOMPARE(governor.ioTokensInUse(), 0);
    QCOMPARE(governor.filesInFlight(), 0);

    // The engine still works afterwards (cancelAll leaves later files alone).
    const QString again = path(QStringLiteral("in/again.txt"));
    QVERIFY(writeFileBytes(again, compressibleData(3 * kChunk, 4)));
    const FileReport ok = runOne(engine, again,
        packSettings(
            CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys, kChunk, path(QStringLiteral("out"))));
    QVERIFY2(ok.state == FileState::Done, qPrintable(describe(ok)));
    QVERIFY(QFile::remove(ok.output));
    QTRY_COMPARE(log.finishedCount(), 2);
}

void TestFaults::cancelQueuedFile()
{
    // One file in flight: the second waits in the queue and is cancelled there.
    const QString first = path(QStringLiteral("in/first.txt"));
    const QString second = path(QStringLiteral("in/second.txt"));
    QVERIFY(writeFileBytes(first, compressibleData(16 * kChunk, 5)));
    QVERIFY(writeFileBytes(second, compressibleData(2 * kChunk, 6)));
    EngineSignalLog log;
    Governor governor(testConfig(1));
    governor.setFilesInFlight(1);
    Engine engine(governor);
    log.attach(engine, this);
    engine.pauseAll(); // nothing starts until both are queued and the second is cancelled
    const JobSettings settings
        = packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, path(QStringLiteral("out")));
    const int a = engine.addFile(first, settings);
    const int b = engine.addFile(second, settings);
    engine.cancel(b);
    QCOMPARE(engine.report(b).state, FileState::Cancelled);
    QCOMPARE(engine.report(b).errorKind, ErrorKind::Cancelled);
    QCOMPARE(log.finishedCount(), 1); // reported at once, from this thread
    engine.resumeAll();
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    QVERIFY2(engine.report(a).state == FileState::Done, qPrintable(describe(engine.report(a))));
    QCOMPARE(engine.report(b).state, FileState::Cancelled);
    QCOMPARE(filesUnder(path(QStringLiteral("out"))), QStringList{path(QStringLiteral("out/first.txt.fgc"))});
    QTRY_COMPARE(log.finishedCount(), 2);
}

// --- pause and resume ---------------------------------------------------------------------------------

void TestFaults::pauseAndResume_data()
{
    QTest::addColumn<bool>("all");
    QTest::newRow("pauseAll") << true;
    QTest::newRow("pause(id)") << false;
}

void TestFaults::pauseAndResume()
{
    QFETCH(bool, all);
    const QString input = path(QStringLiteral("in/paused.txt"));
    const qint64 size = 160 * qint64(kChunk) + 7;
    QVERIFY(writeFileBytes(input, compressibleData(size, 7)));
    const QString expectedSha = sha256HexOfFile(input);

    EngineSignalLog log;
    Governor governor(testConfig(1));
    Engine engine(governor);
    log.onFirstProgress = [&engine, all](int id) {
        if (all)
            engine.pauseAll();
        else
            engine.pause(id);
    };
    log.attach(engine, this);
    const int id = engine.addFile(input,
        packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305,
            KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId()), kChunk, path(QStringLiteral("out"))));
    // Paused: the chunks already handed out drain, then nothing holds memory or permits.
    QTRY_VERIFY(log.progressCount() >= 1 && governor.memoryUsed() == 0 && governor.cpuTokensInUse() == 0
        && governor.ioTokensInUse() == 0);
    QCOMPARE(engine.isPaused(), all);
    QVERIFY(!engine.isIdle());
    QCOMPARE(log.lastState(id), all ? FileState::Running : FileState::Paused);
    const int progressAtPause = log.progressCount();
    const quint64 doneAtPause = log.lastDone();
    const quint64 bytesInAtPause = governor.metrics().bytesIn();
    QVERIFY2(doneAtPause < quint64(size), qPrintable(QString::number(doneAtPause)));
    // Stays paused: no progress for a while (a checked wait that must time
    // out), and the reader reads nothing meanwhile.
    QVERIFY(!log.waitForProgressBeyond(progressAtPause, std::chrono::milliseconds(600)));
    QCOMPARE(log.lastDone(), doneAtPause);
    QCOMPARE(governor.metrics().bytesIn(), bytesInAtPause);
    QVERIFY(!engine.isIdle());

    if (all)
        engine.resumeAll();
    else
        engine.resume(id);
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    const FileReport r = engine.report(id);
    QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    QCOMPARE(r.sha256, expectedSha);
    QCOMPARE(log.lastDone(), quint64(size));
    QVERIFY(governor.metrics().bytesIn() > bytesInAtPause);
    QTRY_COMPARE(log.finishedCount(), 1);
    QTRY_COMPARE(log.lastState(id), FileState::Done);
}

/// A file paused while it waits in the queue keeps its place: the files
/// behind it go ahead, it does not start (nor take a file slot) until it is
/// resumed, and then it runs to the end.
void TestFaults::pauseQueuedFile()
{
    const QString first = path(QStringLiteral("in/first.txt"));
    const QString second = path(QStringLiteral("in/second.txt"));
    const QString third = path(QStringLiteral("in/third.txt"));
    QVERIFY(writeFileBytes(first, compressibleData(4 * kChunk, 1)));
    QVERIFY(writeFileBytes(second, compressibleData(3 * kChunk, 2)));
    QVERIFY(writeFileBytes(third, compressibleData(2 * kChunk, 3)));
    EngineSignalLog log;
    Governor governor(testConfig(1));
    governor.setFilesInFlight(1);
    Engine engine(governor);
    log.attach(engine, this);
    engine.pauseAll(); // all three queued before anything starts
    const JobSettings settings
        = packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, path(QStringLiteral("out")));
    const int a = engine.addFile(first, settings);
    const int b = engine.addFile(second, settings);
    const int c = engine.addFile(third, settings);
    engine.pause(b);
    QCOMPARE(engine.report(b).state, FileState::Paused);
    engine.resumeAll();
    // The first and the third run; the second waits, paused, and holds no slot.
    QTRY_VERIFY(engine.report(a).state == FileState::Done && engine.report(c).state == FileState::Done);
    QVERIFY(!engine.isIdle());
    QCOMPARE(engine.report(b).state, FileState::Paused);
    QTRY_COMPARE(governor.filesInFlight(), 0);
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("out/second.txt.fgc"))));
    engine.resume(b);
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    QVERIFY2(engine.report(b).state == FileState::Done, qPrintable(describe(engine.report(b))));
    QCOMPARE(engine.report(b).sha256, sha256HexOfFile(second));
    QCOMPARE(filesUnder(path(QStringLiteral("out"))).size(), 3);
    QTRY_COMPARE(log.finishedCount(), 3);
    QTRY_COMPARE(log.lastState(b), FileState::Done);
}

/// A file paused while queued and resumed while the queue waits for a file
/// slot starts before the files behind it: the next file is chosen when the
/// slot comes, not when the wait for it began.
void TestFaults::resumedFileKeepsItsPlace()
{
    const QString names[]
        = {QStringLiteral("in/running.txt"), QStringLiteral("in/paused.txt"), QStringLiteral("in/behind.txt")};
    for (int i = 0; i < 3; ++i)
        QVERIFY(writeFileBytes(path(names[i]), compressibleData(2 * kChunk, 10 + i)));
    Governor governor(testConfig(1));
    governor.setFilesInFlight(1);
    Engine engine(governor);
    std::mutex mutex;
    QList<int> started;
    QObject::connect(
        &engine, &Engine::fileStarted, this,
        [&](int id) {
            std::lock_guard lock(mutex);
            started.append(id);
        },
        Qt::DirectConnection);
    // The only CPU token stays here: the first file takes the file slot and
    // cannot finish until the test lets it.
    Permit hog = governor.acquireCpu();
    QVERIFY(hog);
    engine.pauseAll();
    const JobSettings settings
        = packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, path(QStringLiteral("out")));
    const int running = engine.addFile(path(names[0]), settings);
    const int paused = engine.addFile(path(names[1]), settings);
    const int behind = engine.addFile(path(names[2]), settings);
    engine.pause(paused);
    engine.resumeAll();
    QTRY_COMPARE(engine.report(running).state, FileState::Running);
    // The queue now waits for the slot with the file behind in line (the
    // paused one is passed over) ...
    QTRY_COMPARE(governor.filePool().waiters(), 1);
    // ... and the paused file is resumed before the slot comes.
    engine.resume(paused);
    QCOMPARE(engine.report(paused).state, FileState::Queued);
    hog = Permit();
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    for (const int id : {running, paused, behind})
        QVERIFY2(engine.report(id).state == FileState::Done, qPrintable(describe(engine.report(id))));
    std::lock_guard lock(mutex);
    QCOMPARE(started, (QList<int>{running, paused, behind}));
}

/// Pausing or resuming a file that has finished changes nothing and says nothing.
void TestFaults::pauseFinishedFileChangesNothing()
{
    const QString input = path(QStringLiteral("in/done.txt"));
    QVERIFY(writeFileBytes(input, compressibleData(kChunk, 4)));
    Governor governor(testConfig(1));
    Engine engine(governor);
    const int id = engine.addFile(
        input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, path(QStringLiteral("out"))));
    QVERIFY(engine.waitForIdle(std::chrono::minutes(1)));
    QCOMPARE(engine.report(id).state, FileState::Done);
    QSignalSpy states(&engine, &Engine::fileStateChanged);
    engine.pause(id);
    engine.resume(id);
    QCOMPARE(states.count(), 0);
    QCOMPARE(engine.report(id).state, FileState::Done);
    QVERIFY(engine.isIdle());
}

// --- not a regular file ---------------------------------------------------------------------------------

void TestFaults::notARegularFile_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<bool>("restore");
    QTest::addColumn<QString>("reason");
    for (const bool restore : {false, true}) {
        const char *mode = restore ? "restore" : "pack";
        QTest::addRow("%s/directory", mode) << QStringLiteral("directory") << restore << QStringLiteral("folder");
        QTest::addRow("%s/FIFO", mode) << QStringLiteral("fifo") << restore << QStringLiteral("named pipe");
        QTest::addRow("%s/symlink to a FIFO", mode)
            << QStringLiteral("fifo-link") << restore << QStringLiteral("named pipe");
        QTest::addRow("%s//dev/null", mode) << QStringLiteral("/dev/null") << restore << QStringLiteral("device");
        QTest::addRow("%s/socket", mode) << QStringLiteral("socket") << restore << QStringLiteral("socket");
        QTest::addRow("%s/missing", mode) << QStringLiteral("missing") << restore << posix::errnoText(ENOENT);
    }
}

void TestFaults::notARegularFile()
{
    QFETCH(QString, what);
    QFETCH(bool, restore);
    QFETCH(QString, reason);

    QString target;
    int socketFd = -1;
    if (what == QLatin1String("directory")) {
        target = path(QStringLiteral("in/a folder.fgc"));
        QVERIFY(QDir().mkpath(target));
    } else if (what.startsWith(QLatin1String("fifo"))) {
        const QString fifo = path(QStringLiteral("in/pipe.fgc"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        target = fifo;
        if (what == QLatin1String("fifo-link")) {
            target = path(QStringLiteral("in/link-to-pipe.fgc"));
            QVERIFY(QFile::link(fifo, target));
        }
    } else if (what == QLatin1String("socket")) {
        target = path(QStringLiteral("in/sock.fgc"));
        socketFd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(socketFd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(target);
        QVERIFY(std::size_t(native.size()) < sizeof(addr.sun_path));
        std::memcpy(addr.sun_path, native.constData(), std::size_t(native.size()));
        QCOMPARE(::bind(socketFd, reinterpret_cast<const sockaddr *>(&addr), sizeof(addr)), 0);
    } else if (what == QLatin1String("missing")) {
        target = path(QStringLiteral("in/not-there.fgc"));
    } else {
        target = what;
    }

    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    const JobSettings settings = restore ? restoreSettings(JobMode::Restore, keys, path(QStringLiteral("out")))
                                         : packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::ChaCha20Poly1305, keys,
                                             kChunk, path(QStringLiteral("out")));
    Governor governor(testConfig());
    Engine engine(governor);
    QElapsedTimer timer;
    timer.start();
    const int id = engine.addFile(target, settings);
    const bool finished = engine.waitForIdle(std::chrono::seconds(20));
    if (!finished && what.startsWith(QLatin1String("fifo"))) {
        // It blocked on the FIFO: open the other end so the engine can finish, then fail.
        const int unblock
            = ::open(QFile::encodeName(path(QStringLiteral("in/pipe.fgc"))).constData(), O_RDWR | O_NONBLOCK);
        if (unblock >= 0)
            ::close(unblock);
        QVERIFY(engine.waitForIdle(std::chrono::seconds(20)));
    }
    if (socketFd >= 0)
        ::close(socketFd);
    QVERIFY2(finished, "the engine blocked on a special file");
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));

    const FileReport r = engine.report(id);
    QCOMPARE(r.state, FileState::Failed);
    QCOMPARE(r.errorKind, ErrorKind::Input);
    QVERIFY2(r.error.contains(target) && r.error.contains(reason), qPrintable(r.error));
    QCOMPARE(filesUnder(path(QStringLiteral("out"))), QStringList());
    QCOMPARE(governor.cpuTokensInUse(), 0);
    QCOMPARE(governor.ioTokensInUse(), 0);
}

// --- restore writes directly to the disk -------------------------------------------------------------

void TestFaults::restoreWritesDirectly()
{
    // Whole 1 MiB chunks go to the disk directly (O_DIRECT); the end of the
    // file, not a whole number of pages, through the page cache.
    const QString input = path(QStringLiteral("in/direct.bin"));
    const QByteArray original = compressibleData(3 * qint64(kMiB) + 123, 9);
    QVERIFY(writeFileBytes(input, original));
    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    const FileReport packed = packPlain(input, path(QStringLiteral("packed")), keys, quint32(kMiB));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));

    std::mutex mutex;
    QList<bool> directWrites; // per write call to the restored output: O_DIRECT set?
    posix::setFaultHook([&](posix::Operation op, int fd, quint64, std::size_t) {
        if (op == posix::Operation::Write && isTemporaryOf(posix::pathOfFd(fd), QStringLiteral("direct.bin"))) {
            std::lock_guard lock(mutex);
            directWrites << ((::fcntl(fd, F_GETFL) & O_DIRECT) != 0);
        }
        return 0;
    });
    const FileReport r = restorePlain(packed.output, path(QStringLiteral("out")), keys);
    posix::setFaultHook({});
    QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    QCOMPARE(readFileBytes(path(QStringLiteral("out/direct.bin"))), original);
    QVERIFY2(directWrites.size() >= 4, qPrintable(QString::number(directWrites.size())));
    QVERIFY(!directWrites.last()); // the last 123 bytes do not fill a page
    if (directIoWorksIn(path(QStringLiteral("out")))) {
        QCOMPARE(directWrites.count(true), 3); // one per whole chunk (1 MiB: one call each)
        QVERIFY(directWrites.first());
    } else { // a file system without direct I/O: all through the page cache
        QCOMPARE(directWrites.count(true), 0);
    }
}

void TestFaults::directWriteRefusedFallsBack()
{
    // A file system that takes O_DIRECT but then refuses a write with EINVAL
    // (here the second 1 MiB piece of the first 2 MiB chunk): the rest of the
    // output is written through the page cache, nothing lost or repeated.
    QVERIFY2(directIoWorksIn(path(QStringLiteral("out"))), "the test's folder takes no direct I/O");
    const QString input = path(QStringLiteral("in/refused.bin"));
    const QByteArray original = compressibleData(6 * qint64(kMiB) + 5, 11);
    QVERIFY(writeFileBytes(input, original));
    const KeyMaterial keys = KeyMaterial::fromMasterKey(randomMasterKey(), randomKeyId());
    const FileReport packed = packPlain(input, path(QStringLiteral("packed")), keys, quint32(2 * kMiB));
    QVERIFY2(packed.state == FileState::Done, qPrintable(describe(packed)));

    std::atomic<int> direct{0};
    std::atomic<int> refused{0};
    std::atomic<int> buffered{0};
    posix::setFaultHook([&](posix::Operation op, int fd, quint64, std::size_t) {
        if (op != posix::Operation::Write || !isTemporaryOf(posix::pathOfFd(fd), QStringLiteral("refused.bin")))
            return 0;
        if ((::fcntl(fd, F_GETFL) & O_DIRECT) != 0) {
            if (++direct == 2) {
                ++refused;
                return EINVAL;
            }
            return 0;
        }
        ++buffered;
        return 0;
    });
    const FileReport r = restorePlain(packed.output, path(QStringLiteral("out")), keys);
    posix::setFaultHook({});
    QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    QCOMPARE(direct.load(), 2); // the first piece went directly; the second was refused
    QCOMPARE(refused.load(), 1); // and direct I/O was not tried again
    QVERIFY(buffered.load() >= 5);
    QCOMPARE(readFileBytes(path(QStringLiteral("out/refused.bin"))), original);
}

// --- temporaries left behind by a killed run ----------------------------------------------------------

void TestFaults::staleTemporariesRemoved()
{
    const QString input = path(QStringLiteral("in/x.bin"));
    QVERIFY(writeFileBytes(input, compressibleData(100000, 3)));
    const QString out = path(QStringLiteral("out"));
    const auto make = [&](const QString &name, bool old) {
        const QString p = QDir(out).filePath(name);
        if (!writeFileBytes(p, QByteArray(5000, 'p')))
            return false;
        return !old || setModeAndMtime(p, 0600, kOldMtimeNs);
    };
    const QString stale = QStringLiteral(".x.bin.fgc.0123456789abcdef.part"); // a killed run's
    const QString live = QStringLiteral(".x.bin.fgc.fedcba9876543210.part"); // a running run's: locked
    const QString fresh = QStringLiteral(".x.bin.fgc.00000000000000aa.part"); // just made: maybe not locked yet
    const QString otherName = QStringLiteral(".x.bin.fgc.notrandom.part"); // not named by Flowgate
    const QString otherFile = QStringLiteral(".y.bin.fgc.0123456789abcdef.part"); // another output's
    const QString otherCase = QStringLiteral(".X.bin.fgc.0123456789abcdef.part"); // X.bin's, not x.bin's
    QVERIFY(make(stale, true) && make(live, true) && make(fresh, false) && make(otherName, true)
        && make(otherFile, true) && make(otherCase, true));
    const int lockFd = ::open(QFile::encodeName(QDir(out).filePath(live)).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(lockFd >= 0);
    QVERIFY(::flock(lockFd, LOCK_EX | LOCK_NB) == 0);

    Governor governor(testConfig());
    Engine engine(governor);
    const FileReport r
        = runOne(engine, input, packSettings(CodecSpec{CodecId::Zstd, 3}, CipherId::None, {}, kChunk, out));
    ::close(lockFd);
    QVERIFY2(r.state == FileState::Done, qPrintable(describe(r)));
    QCOMPARE(r.notes.size(), 1);
    QVERIFY2(r.notes.first().contains(QDir(out).filePath(stale)) && r.notes.first().contains(u"interrupted run"),
        qPrintable(r.notes.first()));
    QStringList left = QDir(out).entryList(QDir::Files | QDir::Hidden);
    left.sort();
    QStringList expected{QStringLiteral("x.bin.fgc"), live, fresh, otherName, otherFile, otherCase};
    expected.sort();
    QCOMPARE(left, expected);
    for (const QString &name : {live, fresh, otherName, otherFile, otherCase}) // what cleanup() would complain of
        QVERIFY(QFile::remove(QDir(out).filePath(name)));
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
