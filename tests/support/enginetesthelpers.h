// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

// Shared helpers of the engine's test suites (tests/core/pipeline): test
// data, file stamps, container parsing and running one file through an
// Engine. Header-only; the suites link flowgate_core themselves.

#include "crypto/secure.h"
#include "crypto/sha256.h"
#include "format/containerformat.h"
#include "governor/governor.h"
#include "pipeline/engine.h"
#include "pipeline/jobtypes.h"

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace flowgate::testing {

inline constexpr quint32 kKiB = 1024;
inline constexpr quint64 kMiB = quint64(1) << 20;

/// An old, distinctive modification time (2001-02-03 04:05:06.123456789 UTC):
/// any write to the file during a test moves it to "now".
inline constexpr qint64 kOldMtimeNs = qint64(981173106) * 1'000'000'000 + 123'456'789;

inline std::span<const std::uint8_t> bytesOf(const QByteArray &b)
{
    return {reinterpret_cast<const std::uint8_t *>(b.constData()), std::size_t(b.size())};
}

/// Incompressible bytes from a fixed seed.
inline QByteArray randomData(qsizetype size, quint64 seed)
{
    QByteArray out(size, Qt::Uninitialized);
    std::mt19937_64 rng(seed);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(out.data() + i, &v, 8);
    }
    for (; i < size; ++i)
        out[i] = char(rng() & 0xff);
    return out;
}

/// Log-like text from a small vocabulary (compresses several times).
inline QByteArray compressibleData(qsizetype size, quint64 seed)
{
    static const char *const words[] = {"the", "chunk", "governor", "token", "permit", "worker", "file", "reader",
        "writer", "cipher", "codec", "level", "memory", "queue"};
    std::mt19937_64 rng(seed);
    QByteArray out;
    out.reserve(size + 64);
    quint64 line = 0;
    while (out.size() < size) {
        out += "2024-05-0" + QByteArray::number(int(rng() % 9) + 1) + " line " + QByteArray::number(line++) + ':';
        const int n = 4 + int(rng() % 8);
        for (int w = 0; w < n; ++w) {
            out += ' ';
            out += words[rng() % (sizeof(words) / sizeof(words[0]))];
        }
        out += " value=" + QByteArray::number(quint64(rng() % 1000)) + '\n';
    }
    out.truncate(size);
    return out;
}

inline bool writeFileBytes(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(data) == data.size() && f.flush();
}

inline QByteArray readFileBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline QString sha256Hex(const QByteArray &data)
{
    const auto d = Sha256::hash(data);
    return d ? Sha256::hex(*d) : QString();
}

/// SHA-256 of a file, streamed in 1 MiB pieces (never the whole file in memory).
inline QString sha256HexOfFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    Sha256 h;
    QByteArray buffer(qsizetype(kMiB), Qt::Uninitialized);
    for (;;) {
        const qint64 n = f.read(buffer.data(), buffer.size());
        if (n < 0)
            return {};
        if (n == 0)
            break;
        h.update(buffer.constData(), std::size_t(n));
    }
    const auto d = h.finish();
    return d ? Sha256::hex(*d) : QString();
}

/// What a test compares before and after: content hash, size, mode, mtime.
struct FileStamp
{
    bool exists = false;
    QString sha256;
    quint64 size = 0;
    quint32 mode = 0;
    qint64 mtimeNs = 0;
    bool operator==(const FileStamp &) const = default;
};

inline FileStamp stampOf(const QString &path)
{
    FileStamp s;
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return s;
    s.exists = true;
    s.size = quint64(st.st_size);
    s.mode = quint32(st.st_mode & 07777);
    s.mtimeNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    s.sha256 = S_ISREG(st.st_mode) ? sha256HexOfFile(path) : QString();
    return s;
}

inline bool setModeAndMtime(const QString &path, quint32 mode, qint64 mtimeNs)
{
    const QByteArray native = QFile::encodeName(path);
    if (::chmod(native.constData(), mode_t(mode)) != 0)
        return false;
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = time_t(mtimeNs / 1'000'000'000);
    times[1].tv_nsec = long(mtimeNs % 1'000'000'000);
    return ::utimensat(AT_FDCWD, native.constData(), times, 0) == 0;
}

/// Every file under root (hidden ones included), recursively, as paths.
inline QStringList filesUnder(const QString &root)
{
    QStringList out;
    QDirIterator it(
        root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

/// Temporary outputs (".<name>.<random>.part") left anywhere under root.
inline QStringList partFilesUnder(const QString &root)
{
    QStringList out;
    for (const QString &f : filesUnder(root)) {
        if (f.endsWith(QLatin1String(".part")))
            out << f;
    }
    return out;
}

inline ResourceConfig testConfig(int cpuTokens = 2)
{
    ResourceConfig c;
    c.cpuTokens = cpuTokens;
    c.ioTokens = 4;
    return c;
}

/// A random 32-byte master key; keyId as lowercase hex (16 chars).
inline SecureBytes randomMasterKey()
{
    auto k = randomSecret(kMasterKeySize);
    return k ? std::move(*k) : SecureBytes();
}

inline QString randomKeyId()
{
    auto b = randomBytes(8);
    return b ? toHex(*b) : QStringLiteral("0123456789abcdef");
}

inline KeyMaterial keychainKeys(const SecureBytes &masterKey, const QString &keyId)
{
    return KeyMaterial::fromMasterKey(masterKey.clone(), keyId);
}

/// Cheap scrypt for tests (2^10; the lowest isAcceptable() allows).
inline ScryptParams cheapScrypt()
{
    return ScryptParams{10, 8, 1};
}

inline JobSettings packSettings(
    const CodecSpec &codec, CipherId cipher, const KeyMaterial &keys, quint32 chunkSize, const QString &outputDir)
{
    JobSettings s;
    s.mode = JobMode::Pack;
    s.codec = codec;
    s.cipher = cipher;
    s.keys = cipher == CipherId::None ? KeyMaterial::none() : keys;
    s.chunkSize = chunkSize;
    s.outputDir = outputDir;
    return s;
}

inline JobSettings restoreSettings(JobMode mode, const KeyMaterial &keys, const QString &outputDir, bool force = false)
{
    JobSettings s;
    s.mode = mode;
    s.keys = keys;
    s.outputDir = outputDir;
    s.force = force;
    return s;
}

/// Adds one file and waits until the engine is idle. On a timeout the report
/// says so (state Queued, error "timed out").
inline FileReport runOne(Engine &engine, const QString &path, const JobSettings &settings,
    std::chrono::milliseconds timeout = std::chrono::seconds(120))
{
    const int id = engine.addFile(path, settings);
    if (!engine.waitForIdle(timeout)) {
        FileReport r;
        r.id = id;
        r.error = QStringLiteral("timed out waiting for the engine");
        return r;
    }
    return engine.report(id);
}

/// Records an Engine's signals from whichever thread emits them (QSignalSpy
/// is not thread-safe, and the engine emits from its workers). Declare it
/// before the Engine so that it outlives the engine's threads.
class EngineSignalLog
{
public:
    using Clock = std::chrono::steady_clock;

    /// Called once, on the emitting thread, with the first fileProgress's file
    /// id (to cancel or pause "mid-file"). Set it before attach().
    std::function<void(int id)> onFirstProgress;

    /// Direct connections to every per-file signal; context lives as long as the test.
    void attach(Engine &engine, QObject *context)
    {
        QObject::connect(
            &engine, &Engine::fileProgress, context,
            [this](int id, quint64 done, quint64) {
                bool first = false;
                {
                    std::lock_guard lock(m_mutex);
                    first = m_progress++ == 0;
                    m_lastDone = done;
                }
                m_cv.notify_all();
                if (first && onFirstProgress)
                    onFirstProgress(id);
            },
            Qt::DirectConnection);
        QObject::connect(
            &engine, &Engine::fileStateChanged, context,
            [this](int id, FileState state) {
                std::lock_guard lock(m_mutex);
                m_states[id] = state;
            },
            Qt::DirectConnection);
        QObject::connect(
            &engine, &Engine::fileFinished, context,
            [this](const FileReport &r) {
                {
                    std::lock_guard lock(m_mutex);
                    m_finished.push_back(r);
                    m_finishTimes.push_back(Clock::now());
                }
                m_cv.notify_all();
            },
            Qt::DirectConnection);
    }

    int progressCount() const
    {
        std::lock_guard lock(m_mutex);
        return m_progress;
    }
    quint64 lastDone() const
    {
        std::lock_guard lock(m_mutex);
        return m_lastDone;
    }
    /// The last state fileStateChanged reported for id (Queued if none).
    FileState lastState(int id) const
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_states.find(id);
        return it == m_states.end() ? FileState::Queued : it->second;
    }
    int finishedCount() const
    {
        std::lock_guard lock(m_mutex);
        return int(m_finished.size());
    }
    /// fileFinished reports in the order they came, with when they came.
    std::vector<FileReport> finished() const
    {
        std::lock_guard lock(m_mutex);
        return m_finished;
    }
    std::vector<Clock::time_point> finishTimes() const
    {
        std::lock_guard lock(m_mutex);
        return m_finishTimes;
    }
    void clearFinished()
    {
        std::lock_guard lock(m_mutex);
        m_finished.clear();
        m_finishTimes.clear();
    }
    /// Waits until more than count fileProgress signals came; false on timeout.
    bool waitForProgressBeyond(int count, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, timeout, [&] { return m_progress > count; });
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_progress = 0;
    quint64 m_lastDone = 0;
    std::map<int, FileState> m_states;
    std::vector<FileReport> m_finished;
    std::vector<Clock::time_point> m_finishTimes;
};

/// Where the parts of a container lie (offsets into its bytes).
struct ContainerLayout
{
    struct Chunk
    {
        std::size_t offset = 0; ///< of the record (its tag)
        std::size_t size = 0; ///< prefix + stored bytes
        fgc::ChunkRecord record;
    };
    bool ok = false;
    QString error;
    fgc::Header header;
    fgc::Hash headerHash{};
    std::size_t headerSize = 0;
    QList<Chunk> chunks;
    std::size_t trailerOffset = 0; ///< of the trailer tag
    std::size_t trailerSize = 0; ///< tag included

    QByteArray headerBytes(const QByteArray &c) const { return c.left(qsizetype(headerSize)); }
    QByteArray chunkBytes(const QByteArray &c, int i) const
    {
        return c.mid(qsizetype(chunks[i].offset), qsizetype(chunks[i].size));
    }
    QByteArray trailerBytes(const QByteArray &c) const
    {
        return c.mid(qsizetype(trailerOffset), qsizetype(trailerSize));
    }
};

/// Parses a well-formed container with fgc::parseHeader / parseChunkPrefix.
inline ContainerLayout parseContainer(const QByteArray &bytes)
{
    ContainerLayout l;
    const auto data = bytesOf(bytes);
    if (fgc::parseHeader(data, &l.header, &l.headerSize, &l.headerHash, &l.error) != fgc::ParseStatus::Ok) {
        if (l.error.isEmpty())
            l.error = QStringLiteral("header incomplete");
        return l;
    }
    std::size_t offset = l.headerSize;
    const std::size_t prefix = fgc::chunkRecordPrefixSize(l.header);
    for (quint64 i = 0; i < l.header.chunkCount(); ++i) {
        ContainerLayout::Chunk c;
        c.offset = offset;
        if (fgc::parseChunkPrefix(l.header, data.subspan(std::min(offset, data.size())), &c.record, &l.error)
            != fgc::ParseStatus::Ok) {
            if (l.error.isEmpty())
                l.error = QStringLiteral("chunk %1 incomplete").arg(i);
            return l;
        }
        c.size = prefix + c.record.storedSize;
        offset += c.size;
        l.chunks.append(c);
    }
    l.trailerOffset = offset;
    l.trailerSize = 1 + fgc::storedTrailerSize(l.header);
    if (offset + l.trailerSize != data.size() || data[offset] != fgc::kTrailerTag) {
        l.error = QStringLiteral("trailer missing or misplaced");
        return l;
    }
    l.ok = true;
    return l;
}

/// An unencrypted container rebuilt under a changed header: every chunk's CRC
/// and the trailer's check are recomputed for the new header hash, so the
/// result is well-formed apart from whatever the new header itself says.
inline QByteArray rebuildUnencrypted(
    const QByteArray &container, const ContainerLayout &l, const fgc::Header &newHeader)
{
    fgc::Hash hash{};
    QByteArray out = fgc::encodeHeader(newHeader, &hash);
    const std::size_t prefixSize = fgc::chunkRecordPrefixSize(newHeader);
    for (int i = 0; i < l.chunks.size(); ++i) {
        const auto &c = l.chunks[i];
        const QByteArray stored = container.mid(qsizetype(c.offset + prefixSize), qsizetype(c.record.storedSize));
        fgc::ChunkRecord r = c.record;
        r.crc = fgc::chunkCrc(hash, quint64(i), r.last, r.plainSize, bytesOf(stored));
        std::uint8_t prefix[32];
        fgc::encodeChunkPrefix(newHeader, r, prefix);
        out.append(reinterpret_cast<const char *>(prefix), qsizetype(prefixSize));
        out.append(stored);
    }
    std::array<std::uint8_t, fgc::kTrailerPayloadSize> payload{};
    std::memcpy(payload.data(), container.constData() + l.trailerOffset + 1, payload.size());
    const auto check = fgc::trailerCheck(hash, payload);
    out.append(char(fgc::kTrailerTag));
    out.append(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size()));
    out.append(reinterpret_cast<const char *>(check.data()), qsizetype(check.size()));
    return out;
}

} // namespace flowgate::testing
