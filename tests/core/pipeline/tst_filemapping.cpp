// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// FileMapping: the view of an input file that packing reads chunks through.
// It holds the file's bytes; it refuses what it cannot read; when the file
// shrinks under it, reading it gives zeros and marks it damaged instead of
// killing the process; and a bus error anywhere else still ends the process.

#include "pipeline/buffer.h"
#include "pipeline/filemapping.h"

#include <QCoreApplication>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace flowgate;

namespace {

QByteArray randomBytes(qsizetype size)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator gen(7);
    for (qsizetype i = 0; i < size; ++i)
        b[i] = char(gen.generate() & 0xff);
    return b;
}

struct OpenFile
{
    int fd = -1;
    ~OpenFile()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

class TestFileMapping : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void holdsTheFilesBytes();
    void refusesWhatItCannotRead();
    void fileShrinksWhileMapped();
    void aBusErrorElsewhereStillEndsTheProcess();
    void mappingsAreLimitedAndFreed();
    void bufferGivesTheMappingBack();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);
    int openRead(const QString &path, OpenFile &f);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestFileMapping::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestFileMapping::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

int TestFileMapping::openRead(const QString &path, OpenFile &f)
{
    f.fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    return f.fd;
}

void TestFileMapping::holdsTheFilesBytes()
{
    const QByteArray bytes = randomBytes(3 * 1024 * 1024 + 17);
    const QString path = writeFile(QStringLiteral("data.bin"), bytes);
    QVERIFY(!path.isEmpty());
    OpenFile f;
    QVERIFY(openRead(path, f) >= 0);

    const auto whole = FileMapping::map(f.fd, 0, std::size_t(bytes.size()));
    QVERIFY(whole);
    QCOMPARE(whole->size(), std::size_t(bytes.size()));
    QVERIFY(std::memcmp(whole->data(), bytes.constData(), whole->size()) == 0);
    QVERIFY(!whole->damaged());

    // An offset that is not on a page, and a range ending at the file's end.
    const quint64 offset = 5 * 4096 + 123;
    const auto part = FileMapping::map(f.fd, offset, std::size_t(bytes.size()) - offset);
    QVERIFY(part);
    QVERIFY(std::memcmp(part->data(), bytes.constData() + offset, part->size()) == 0);
}

void TestFileMapping::refusesWhatItCannotRead()
{
    const QByteArray bytes = randomBytes(3 * 1024 * 1024);
    const QString path = writeFile(QStringLiteral("data.bin"), bytes);
    OpenFile f;
    QVERIFY(openRead(path, f) >= 0);
    QVERIFY(!FileMapping::map(f.fd, 2 * 1024 * 1024, 2 * 1024 * 1024)); // past the end
    QVERIFY(!FileMapping::map(f.fd, 4 * 1024 * 1024, 4096)); // wholly past it
    QVERIFY(!FileMapping::map(f.fd, 0, 0));

    int pipeFds[2];
    QVERIFY(::pipe(pipeFds) == 0);
    QVERIFY(!FileMapping::map(pipeFds[0], 0, 4096)); // not a file that can be mapped
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
}

void TestFileMapping::fileShrinksWhileMapped()
{
    const QByteArray bytes = randomBytes(2 * 1024 * 1024);
    const QString path = writeFile(QStringLiteral("shrinks.bin"), bytes);
    const QString otherPath = writeFile(QStringLiteral("other.bin"), bytes);
    OpenFile f, other;
    QVERIFY(openRead(path, f) >= 0);
    QVERIFY(openRead(otherPath, other) >= 0);
    const auto mapping = FileMapping::map(f.fd, 0, std::size_t(bytes.size()));
    const auto untouched = FileMapping::map(other.fd, 0, std::size_t(bytes.size()));
    QVERIFY(mapping && untouched);
    QVERIFY(!mapping->damaged());

    // The file shrinks to a page and a bit: the rest of its pages are gone.
    const qsizetype kept = 4096 + 10;
    QVERIFY(::truncate(QFile::encodeName(path).constData(), off_t(kept)) == 0);

    // Reading every byte neither kills the process nor gives the old bytes.
    const QByteArray seen(reinterpret_cast<const char *>(mapping->data()), qsizetype(mapping->size()));
    QVERIFY(mapping->damaged());
    QCOMPARE(seen.left(kept), bytes.left(kept));
    QCOMPARE(seen.mid(2 * 4096), QByteArray(seen.size() - 2 * 4096, '\0'));
    // Only the mapping that lost pages is marked.
    QVERIFY(std::memcmp(untouched->data(), bytes.constData(), untouched->size()) == 0);
    QVERIFY(!untouched->damaged());
}

/// Runs this program as a helper (--foreign-bus-error or --sent-bus-error
/// FILE) in a process of its own, where QtTest's crash handler is not
/// installed; returns its wait status.
int runHelper(const char *mode, const QString &path)
{
    const QByteArray program = QFile::encodeName(QCoreApplication::applicationFilePath());
    const QByteArray file = QFile::encodeName(path);
    // Under a sanitizer, its handler would be the one before ours and report
    // the fault itself; without it the default action is what is left.
    const QByteArray asan = qgetenv("ASAN_OPTIONS") + ":handle_sigbus=0";
    const QByteArray tsan = qgetenv("TSAN_OPTIONS") + ":handle_sigbus=0";
    const pid_t child = ::fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        ::alarm(20); // a hang fails the test (SIGALRM) instead of stopping it
        ::setenv("ASAN_OPTIONS", asan.constData(), 1);
        ::setenv("TSAN_OPTIONS", tsan.constData(), 1);
        char *args[] = {const_cast<char *>(program.constData()), const_cast<char *>(mode),
            const_cast<char *>(file.constData()), nullptr};
        ::execv(program.constData(), args);
        ::_exit(40);
    }
    int status = 0;
    return ::waitpid(child, &status, 0) == child ? status : -1;
}

void TestFileMapping::aBusErrorElsewhereStillEndsTheProcess()
{
    const QString path = writeFile(QStringLiteral("foreign.bin"), randomBytes(64 * 1024));
    QVERIFY(!path.isEmpty());
    // A fault in a mapping that is not a FileMapping.
    int status = runHelper("--foreign-bus-error", path);
    QVERIFY2(WIFSIGNALED(status), qPrintable(QStringLiteral("the helper exited with %1").arg(WEXITSTATUS(status))));
    QCOMPARE(WTERMSIG(status), SIGBUS);
    // A SIGBUS sent with kill(), which has no address to look up.
    const QString intact = writeFile(QStringLiteral("intact.bin"), randomBytes(64 * 1024));
    QVERIFY(!intact.isEmpty());
    status = runHelper("--sent-bus-error", intact);
    QVERIFY2(WIFSIGNALED(status), qPrintable(QStringLiteral("the helper exited with %1").arg(WEXITSTATUS(status))));
    QCOMPARE(WTERMSIG(status), SIGBUS);
}

/// The helper process: our handler in place, then a bus error in a mapping
/// that is not a FileMapping. Returns only if the fault was swallowed.
int foreignBusError(const char *path)
{
    const int fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 41;
    const auto ours = FileMapping::map(fd, 0, 4096); // installs the handler
    void *foreign = ::mmap(nullptr, 64 * 1024, PROT_READ, MAP_SHARED, fd, 0);
    if (!ours || foreign == MAP_FAILED || ::ftruncate(fd, 0) != 0)
        return 42;
    volatile const char *p = static_cast<const char *>(foreign);
    (void)p[8192]; // past the end of the file now
    return 43;
}

/// The other helper: our handler in place, then a SIGBUS from kill().
/// Returns only if the signal was swallowed.
int sentBusError(const char *path)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 41;
    const auto ours = FileMapping::map(fd, 0, 4096); // installs the handler
    if (!ours)
        return 42;
    ::kill(::getpid(), SIGBUS);
    return 43;
}

void TestFileMapping::mappingsAreLimitedAndFreed()
{
    const QString path = writeFile(QStringLiteral("page.bin"), randomBytes(4096));
    OpenFile f;
    QVERIFY(openRead(path, f) >= 0);
    std::vector<std::unique_ptr<FileMapping>> all;
    for (int i = 0; i < FileMapping::kMaxMappings; ++i) {
        all.push_back(FileMapping::map(f.fd, 0, 4096));
        QVERIFY2(all.back(), qPrintable(QStringLiteral("mapping %1").arg(i)));
    }
    QVERIFY(!FileMapping::map(f.fd, 0, 4096)); // full: the caller reads instead
    all.pop_back();
    QVERIFY(FileMapping::map(f.fd, 0, 4096)); // a slot is free again
}

void TestFileMapping::bufferGivesTheMappingBack()
{
    const QByteArray bytes = randomBytes(1024 * 1024);
    const QString path = writeFile(QStringLiteral("buffer.bin"), bytes);
    OpenFile f;
    QVERIFY(openRead(path, f) >= 0);
    BufferPool pool(4);
    std::vector<std::unique_ptr<FileMapping>> fill;
    for (int i = 0; i < FileMapping::kMaxMappings - 1; ++i)
        fill.push_back(FileMapping::map(f.fd, 0, 4096));
    Buffer b(FileMapping::map(f.fd, 0, std::size_t(bytes.size())));
    QVERIFY(b.isMapping());
    QCOMPARE(b.size(), std::size_t(bytes.size()));
    QVERIFY(std::memcmp(std::as_const(b).data(), bytes.constData(), b.size()) == 0);
    QVERIFY(!FileMapping::map(f.fd, 0, 4096)); // every slot in use
    pool.give(std::move(b)); // not kept for reuse: unmapped, its slot free
    QVERIFY(FileMapping::map(f.fd, 0, 4096));
    const Buffer fresh = pool.take(1024);
    QVERIFY(!fresh.isMapping());
}

int main(int argc, char **argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--foreign-bus-error") == 0)
        return foreignBusError(argv[2]);
    if (argc == 3 && std::strcmp(argv[1], "--sent-bus-error") == 0)
        return sentBusError(argv[2]);
    QCoreApplication app(argc, argv);
    TestFileMapping test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_filemapping.moc"
