// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "pipeline/buffer.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <cstdint>
#include <functional>

namespace flowgate::posix {

/// What a failure was about, so callers can tell input, output and space
/// problems apart (and map them to exit codes).
enum class Failure { None, Input, Output, NoSpace, Unsupported };

/// An open file descriptor, closed on destruction. Move-only.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd)
    { }
    Fd(Fd &&o) noexcept
        : m_fd(o.release())
    { }
    Fd &operator=(Fd &&o) noexcept;
    ~Fd();
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }
    bool isOpen() const { return m_fd >= 0; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

struct InputInfo
{
    quint64 size = 0;
    qint64 mtimeNs = 0;
    quint32 mode = 0;
    qint64 ctimeNs = 0;
};

/// Opens a regular file for reading without ever blocking on a FIFO or a
/// device: directories, FIFOs, sockets and devices are refused with a clear
/// reason. Never modifies the file.
[[nodiscard]] Fd openInput(const QString &path, InputInfo *info, QString *error);
/// fstat() again: size, mtime, mode.
[[nodiscard]] bool statFd(int fd, InputInfo *info, QString *error);

/// Reads and writes go to the kernel in pieces of at most this size: one
/// system call copying tens of MiB costs several times what the same bytes
/// cost in 1 MiB calls (measured: a 190 MB write in 32 MiB calls took 3-6x
/// the system time of 1 MiB calls), and a piece stays in the CPU cache.
inline constexpr std::size_t kIoPiece = std::size_t(1) << 20;

/// Reads exactly size bytes at offset (a short read is not end of file: it
/// retries until all bytes arrive or read returns 0). Returns the bytes read;
/// less than size only at end of file. -1 on error (errno text in *error).
qint64 readFully(int fd, std::uint8_t *data, std::size_t size, quint64 offset, QString *error);

/// The bytes of [offset, offset + size) as a FileMapping: in memory when
/// this returns, as after readFully(), but not copied out of the page cache.
/// False when that cannot be done (the file is shorter, a read fails, no
/// mapping); readFully() then reads them, or names the precise cause. The
/// fault hook sees it as the reads of readFully(), piece by piece (so when a
/// hook fails the mapping, it sees the same reads again from readFully()).
[[nodiscard]] bool mapInput(int fd, quint64 offset, std::size_t size, Buffer *out);

/// Creates a hidden temporary file beside the final output
/// (".<final name>.<random>.part", mode 0600) in dir, and holds an exclusive
/// flock() on it for as long as it is open: a run that is killed gives the
/// lock up with its life, which tells its leftovers from a live run's file.
[[nodiscard]] Fd createTemporary(const QString &dir, const QString &finalName, QString *tempPath, QString *error);
/// The names in dir that may be temporary files (".*.part"): read once per
/// folder and run, and handed to removeStaleTemporaries() for each output
/// (a folder of 10,000 outputs is not listed 10,000 times).
QStringList temporariesIn(const QString &dir);
/// Removes the temporary files for finalName in dir, among candidates (from
/// temporariesIn()), that a run left behind when it was killed: named as
/// createTemporary() names them, regular, owned by this user, unchanged for
/// kStaleAfterSeconds, and not locked by anyone. (One that cannot be opened
/// for reading, say of mode 0000, is left alone.) Returns the paths removed.
QStringList removeStaleTemporaries(const QString &dir, const QString &finalName, const QStringList &candidates);
inline constexpr int kStaleAfterSeconds = 5;
/// Writes all bytes (retrying short writes). On ENOSPC *failure is NoSpace;
/// EINVAL from a file in direct mode (see setDirect) is Failure::Unsupported.
/// *written, when given, receives the bytes written before a failure.
[[nodiscard]] bool writeFully(int fd, const std::uint8_t *data, std::size_t size, QString *error, Failure *failure,
    std::size_t *written = nullptr);
/// Direct I/O (O_DIRECT) for an open output: writes go from the caller's
/// memory to the disk, not through the page cache. Such writes need memory,
/// size and file offset aligned to kDirectAlignment. False when the file
/// system does not offer it.
[[nodiscard]] bool setDirect(int fd, bool on);
inline constexpr std::size_t kDirectAlignment = 4096;
/// fsync, with the errno text on failure.
[[nodiscard]] bool syncFd(int fd, QString *error);
/// Starts writing [offset, offset + size) back to the disk without waiting
/// (sync_file_range), so the final syncFd() finds little left to do and
/// dirty pages do not pile up. A hint: errors are left to syncFd().
void startWriteback(int fd, quint64 offset, std::size_t size);
/// Renames temp to final. Without overwrite, fails (EEXIST) if final exists,
/// atomically (renameat2 RENAME_NOREPLACE, or link+unlink where unsupported).
[[nodiscard]] bool publish(
    const QString &tempPath, const QString &finalPath, bool overwrite, QString *error, bool *existed);
/// fsync of a directory, so a rename survives a crash.
void syncDirectory(const QString &dir);
/// Sets the permission bits (and the sticky bit; never set-user-ID or
/// set-group-ID) and the modification time of an open file.
[[nodiscard]] bool setModeAndTime(int fd, quint32 mode, qint64 mtimeNs, QString *error);

QString errnoText(int err);

/// Test seam (tests/support): called before every read and write that
/// readFully()/writeFully() make. Returning a non-zero errno makes that call
/// fail with it, as a failing device would; the hook may also touch the file
/// (to simulate a change while it is read). Not for production use; null by
/// default, and set only while no job runs.
enum class Operation { Read, Write };
using FaultHook = std::function<int(Operation op, int fd, quint64 offset, std::size_t size)>;
void setFaultHook(FaultHook hook);
/// The path an open descriptor refers to (from /proc/self/fd), for hooks.
QString pathOfFd(int fd);

} // namespace flowgate::posix
