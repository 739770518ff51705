// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "pipeline/posixfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace flowgate::posix {

namespace {
FaultHook g_faultHook;

int injectedFault(Operation op, int fd, quint64 offset, std::size_t size)
{
    return g_faultHook ? g_faultHook(op, fd, offset, size) : 0;
}
} // namespace

void setFaultHook(FaultHook hook)
{
    g_faultHook = std::move(hook);
}

QString pathOfFd(int fd)
{
    return QFile::symLinkTarget(QStringLiteral("/proc/self/fd/%1").arg(fd));
}

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("flowgate::posix", text); // the context lupdate gives it
}

qint64 toNs(const struct timespec &ts)
{
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void fill(const struct stat &st, InputInfo *info)
{
    info->size = quint64(st.st_size);
    info->mtimeNs = toNs(st.st_mtim);
    info->ctimeNs = toNs(st.st_ctim);
    info->mode = quint32(st.st_mode & 07777);
}
} // namespace

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

Fd &Fd::operator=(Fd &&o) noexcept
{
    if (this != &o) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = o.release();
    }
    return *this;
}

Fd::~Fd()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Fd openInput(const QString &path, InputInfo *info, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat st
    {
    };
    if (::stat(native.constData(), &st) != 0) {
        *error = tr("cannot read it: %1").arg(errnoText(errno));
        return Fd();
    }
    if (S_ISDIR(st.st_mode)) {
        *error = tr("it is a folder, not a file");
        return Fd();
    }
    if (S_ISFIFO(st.st_mode)) {
        *error = tr("it is a named pipe (FIFO), not a regular file");
        return Fd();
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        *error = tr("it is a device, not a regular file");
        return Fd();
    }
    if (S_ISSOCK(st.st_mode)) {
        *error = tr("it is a socket, not a regular file");
        return Fd();
    }
    if (!S_ISREG(st.st_mode)) {
        *error = tr("it is not a regular file");
        return Fd();
    }
    // O_NONBLOCK: if the path was swapped for a FIFO since stat(), open() still returns at once.
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        *error = tr("cannot open it: %1").arg(errnoText(errno));
        return Fd();
    }
    Fd file(fd);
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *error = tr("it is not a regular file");
        return Fd();
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    fill(st, info);
    return file;
}

bool statFd(int fd, InputInfo *info, QString *error)
{
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        *error = errnoText(errno);
        return false;
    }
    fill(st, info);
    return true;
}

qint64 readFully(int fd, std::uint8_t *data, std::size_t size, quint64 offset, QString *error)
{
    std::size_t done = 0;
    while (done < size) {
        if (const int injected = injectedFault(Operation::Read, fd, offset + done, size - done)) {
            *error = tr("read error at byte %1: %2").arg(offset + done).arg(errnoText(injected));
            return -1;
        }
        const ssize_t n = ::pread(fd, data + done, std::min(size - done, kIoPiece), off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *error = tr("read error at byte %1: %2").arg(offset + done).arg(errnoText(errno));
            return -1;
        }
        if (n == 0)
            break; // end of file
        done += std::size_t(n);
    }
    return qint64(done);
}

bool mapInput(int fd, quint64 offset, std::size_t size, Buffer *out)
{
    // The fault hook sees the pieces readFully() would read: a failing one
    // fails the mapping, and readFully() then meets the same failure.
    for (std::size_t done = 0; done < size; done += kIoPiece) {
        if (injectedFault(Operation::Read, fd, offset + done, std::min(size - done, kIoPiece)))
            return false;
    }
    std::unique_ptr<FileMapping> mapping = FileMapping::map(fd, offset, size);
    if (!mapping)
        return false;
    *out = Buffer(std::move(mapping));
    return true;
}

Fd createTemporary(const QString &dir, const QString &finalName, QString *tempPath, QString *error)
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString name = QStringLiteral(".%1.%2.part")
                                 .arg(finalName)
                                 .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
        const QString path = QDir(dir).filePath(name);
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            // Where the file system has no locks, leftovers are never taken for stale.
            (void)::flock(fd, LOCK_EX | LOCK_NB);
            *tempPath = path;
            return Fd(fd);
        }
        if (errno != EEXIST) {
            *error = tr("cannot create a file in %1: %2").arg(dir, errnoText(errno));
            return Fd();
        }
    }
    *error = tr("cannot create a temporary file in %1").arg(dir);
    return Fd();
}

QStringList temporariesIn(const QString &dir)
{
    return QDir(dir).entryList({QStringLiteral(".*.part")}, QDir::Files | QDir::Hidden | QDir::System);
}

QStringList removeStaleTemporaries(const QString &dir, const QString &finalName, const QStringList &candidates)
{
    QStringList removed;
    const QString prefix = QLatin1Char('.') + finalName + QLatin1Char('.');
    const QString suffix = QStringLiteral(".part");
    const QByteArray nativeDir = QFile::encodeName(dir);
    const int dirFd = ::open(nativeDir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0)
        return removed;
    const Fd dirGuard(dirFd);
    const qint64 now = qint64(::time(nullptr));
    for (const QString &name : candidates) {
        // Exactly ".<final name>.<16 hex digits>.part": nothing else is touched.
        if (!name.startsWith(prefix) || !name.endsWith(suffix))
            continue;
        const QString random = name.mid(prefix.size(), name.size() - prefix.size() - suffix.size());
        bool hex = random.size() == 16;
        for (const QChar c : random)
            hex = hex && (c.isDigit() || (c >= QLatin1Char('a') && c <= QLatin1Char('f')));
        if (!hex)
            continue;
        const QByteArray native = QFile::encodeName(name);
        const int fd = ::openat(dirFd, native.constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        const Fd guard(fd);
        struct stat st = {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()
            || now - qint64(st.st_mtime) < kStaleAfterSeconds)
            continue;
        // A live run holds its lock from the moment the file exists (the
        // age above covers the instant before it takes it).
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
            continue;
        if (::unlinkat(dirFd, native.constData(), 0) == 0)
            removed << QDir(dir).filePath(name);
    }
    return removed;
}

bool writeFully(
    int fd, const std::uint8_t *data, std::size_t size, QString *error, Failure *failure, std::size_t *written)
{
    std::size_t done = 0;
    while (done < size) {
        const int injected = injectedFault(Operation::Write, fd, 0, size - done);
        const ssize_t n = injected ? -1 : ::write(fd, data + done, std::min(size - done, kIoPiece));
        if (written)
            *written = done;
        if (n < 0) {
            if (!injected && errno == EINTR)
                continue;
            const int err = injected ? injected : errno;
            const int flags = ::fcntl(fd, F_GETFL);
            if (err == EINVAL && flags >= 0 && (flags & O_DIRECT) != 0) {
                *failure = Failure::Unsupported;
                *error = tr("direct write refused: %1").arg(errnoText(err));
                return false;
            }
            *failure = (err == ENOSPC || err == EDQUOT) ? Failure::NoSpace : Failure::Output;
            *error = err == ENOSPC ? tr("the disk is full (%1)").arg(errnoText(err))
                                   : tr("write error: %1").arg(errnoText(err));
            return false;
        }
        done += std::size_t(n);
    }
    if (written)
        *written = done;
    return true;
}

bool setDirect(int fd, bool on)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        return false;
    const int wanted = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
    return wanted == flags || ::fcntl(fd, F_SETFL, wanted) == 0;
}

bool syncFd(int fd, QString *error)
{
    if (::fsync(fd) != 0) {
        *error = tr("could not flush to disk: %1").arg(errnoText(errno));
        return false;
    }
    return true;
}

void startWriteback(int fd, quint64 offset, std::size_t size)
{
    if (size > 0)
        (void)::sync_file_range(fd, off64_t(offset), off64_t(size), SYNC_FILE_RANGE_WRITE);
}

bool publish(const QString &tempPath, const QString &finalPath, bool overwrite, QString *error, bool *existed)
{
    *existed = false;
    const QByteArray from = QFile::encodeName(tempPath);
    const QByteArray to = QFile::encodeName(finalPath);
    if (overwrite) {
        if (::rename(from.constData(), to.constData()) != 0) {
            *error = tr("cannot move the finished file into place: %1").arg(errnoText(errno));
            return false;
        }
        return true;
    }
    if (::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno == EEXIST) {
        *existed = true;
        *error = tr("%1 already exists (use --force to overwrite it)").arg(finalPath);
        return false;
    }
    if (errno == EINVAL || errno == ENOSYS) {
        // File systems without RENAME_NOREPLACE: link() also refuses to replace.
        if (::link(from.constData(), to.constData()) == 0) {
            ::unlink(from.constData());
            return true;
        }
        if (errno == EEXIST) {
            *existed = true;
            *error = tr("%1 already exists (use --force to overwrite it)").arg(finalPath);
            return false;
        }
    }
    *error = tr("cannot move the finished file into place: %1").arg(errnoText(errno));
    return false;
}

void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

bool setModeAndTime(int fd, quint32 mode, qint64 mtimeNs, QString *error)
{
    // Never set-user-ID or set-group-ID: a container may come from anyone, and
    // restoring it must not plant a program that runs with its owner's rights.
    if (::fchmod(fd, mode_t(mode & 01777)) != 0) {
        *error = tr("cannot set the file mode: %1").arg(errnoText(errno));
        return false;
    }
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = time_t(mtimeNs / 1'000'000'000);
    times[1].tv_nsec = long(mtimeNs % 1'000'000'000);
    if (times[1].tv_nsec < 0) {
        times[1].tv_nsec += 1'000'000'000;
        times[1].tv_sec -= 1;
    }
    if (::futimens(fd, times) != 0) {
        *error = tr("cannot set the modification time: %1").arg(errnoText(errno));
        return false;
    }
    return true;
}

} // namespace flowgate::posix
