// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "pipeline/engine.h"

#include "crypto/sha256.h"
#include "governor/backgroundpriority.h"
#include "governor/governor.h"
#include "pipeline/buffer.h"
#include "pipeline/contextpool.h"
#include "pipeline/posixfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

#include <atomic>
#include <cstring>
#include <system_error>
#include <thread>

#include <sys/stat.h>

Q_LOGGING_CATEGORY(lcEngine, "flowgate.engine")

namespace flowgate {

namespace {

using Clock = std::chrono::steady_clock;

quint64 nsSince(Clock::time_point t)
{
    return quint64(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
}

/// Per worker thread: one compressor / decompressor / AEAD context, reused.
struct ThreadContexts
{
    // Codec contexts come from the engine's ContextPool (they can be big);
    // an AEAD context is a few hundred bytes.
    std::unique_ptr<Aead> aeads[3];
    bool background = false;
    BackgroundPriority::Saved saved;

    Aead *aeadFor(CipherId id)
    {
        auto &a = aeads[int(id) % 3];
        if (!a)
            a = std::make_unique<Aead>(id);
        return a.get();
    }
    /// Follows the governor's background mode on this pool thread.
    void applyBackground(bool wanted)
    {
        if (wanted == background)
            return;
        QString error;
        if (wanted) {
            if (BackgroundPriority::enter(&saved, &error))
                background = true;
            else
                qCWarning(lcEngine) << "background mode:" << error;
        } else {
            if (!BackgroundPriority::restore(saved, &error))
                qCWarning(lcEngine) << "leaving background mode:" << error;
            background = false; // do not retry every chunk
        }
    }
};

ThreadContexts &contexts()
{
    thread_local ThreadContexts c;
    return c;
}

/// Blocks while paused; false if cancelled meanwhile.
class PauseGate final
{
public:
    void set(bool paused)
    {
        {
            std::lock_guard lock(m_mutex);
            m_paused = paused;
        }
        m_cv.notify_all();
    }
    bool isPaused() const
    {
        std::lock_guard lock(m_mutex);
        return m_paused;
    }
    bool wait(const CancellationToken &token)
    {
        {
            std::lock_guard lock(m_mutex);
            if (!m_paused)
                return !token.isCancelled();
        }
        // Registered before the gate's mutex is taken, and unregistered after
        // it is released: the callback takes that mutex under the token's.
        CancellationCallback wake(token, [this] {
            std::lock_guard l(m_mutex);
            m_cv.notify_all();
        });
        if (wake.wasCancelledAtRegistration())
            return false;
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_paused || token.isCancelled(); });
        return !token.isCancelled();
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_paused = false;
};

} // namespace

// --- KeyMaterial and names -----------------------------------------------------------

KeyMaterial KeyMaterial::fromMasterKey(SecureBytes key, const QString &keyId)
{
    KeyMaterial k;
    k.source = fgc::KeySource::Keychain;
    k.masterKey = std::make_shared<const SecureBytes>(std::move(key));
    k.keyId = keyId;
    return k;
}

KeyMaterial KeyMaterial::fromPendingMasterKey(std::shared_ptr<PendingMasterKey> pending)
{
    KeyMaterial k;
    k.source = fgc::KeySource::Keychain;
    k.pending = std::move(pending);
    return k;
}

void PendingMasterKey::resolve(std::shared_ptr<const SecureBytes> key, const QString &keyId, const QString &error)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_resolved)
            return;
        m_key = std::move(key);
        m_keyId = keyId;
        m_error = error;
        m_resolved = true;
    }
    m_cv.notify_all();
}

bool PendingMasterKey::wait(const CancellationToken &token) const
{
    std::unique_lock lock(m_mutex);
    // A short tick for the token: a cancelled file stops waiting soon.
    while (!m_resolved) {
        if (token.isCancelled())
            return false;
        m_cv.wait_for(lock, std::chrono::milliseconds(20));
    }
    return true;
}

bool PendingMasterKey::isResolved() const
{
    std::lock_guard lock(m_mutex);
    return m_resolved;
}

std::shared_ptr<const SecureBytes> PendingMasterKey::key() const
{
    std::lock_guard lock(m_mutex);
    return m_key;
}

QString PendingMasterKey::keyId() const
{
    std::lock_guard lock(m_mutex);
    return m_keyId;
}

QString PendingMasterKey::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

KeyMaterial KeyMaterial::fromPassphrase(const QString &passphrase, const ScryptParams &params)
{
    KeyMaterial k;
    k.source = fgc::KeySource::Passphrase;
    k.passphrase = passphrase;
    k.scrypt = params;
    if (!fillRandom(k.jobSalt))
        k.jobSalt.fill(0); // refused when a file is packed (see readForPack)
    return k;
}

QString jobModeName(JobMode mode)
{
    switch (mode) {
    case JobMode::Pack:
        return QStringLiteral("pack");
    case JobMode::Restore:
        return QStringLiteral("restore");
    case JobMode::Verify:
        return QStringLiteral("verify");
    }
    return {};
}

QString fileStateName(FileState state)
{
    switch (state) {
    case FileState::Queued:
        return QStringLiteral("queued");
    case FileState::Running:
        return QStringLiteral("running");
    case FileState::Paused:
        return QStringLiteral("paused");
    case FileState::Done:
        return QStringLiteral("done");
    case FileState::Failed:
        return QStringLiteral("failed");
    case FileState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return QStringLiteral("none");
    case ErrorKind::Input:
        return QStringLiteral("input");
    case ErrorKind::DataIntegrity:
        return QStringLiteral("data-integrity");
    case ErrorKind::Io:
        return QStringLiteral("io");
    case ErrorKind::Key:
        return QStringLiteral("key");
    case ErrorKind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

// --- one file --------------------------------------------------------------------------

/// Pack reads chunks of at least this size as views of the input file
/// (FileMapping); smaller ones, where a mapping's system calls would cost more
/// than the copy they save, with pread().
constexpr std::size_t kMapFrom = std::size_t(1) << 20;

/// Restore writes chunks of at least this size directly to the disk (each
/// direct write waits for the disk: small ones would wait more than copy).
constexpr quint64 kDirectFrom = quint64(1) << 20;

/// One file's run: its reader, its chunks in flight, its ordered writer, and
/// the final verification and rename. Lives as long as any of its tasks.

class FileTask final : public std::enable_shared_from_this<FileTask>
{
public:
    // lupdate files these tr() calls under "flowgate::FileTask": look them up there.
    static QString tr(const char *text) { return QCoreApplication::translate("flowgate::FileTask", text); }

    FileTask(Engine &engine, int id, QString path, JobSettings settings, Permit slot, const CancellationToken &all)
        : m_engine(engine)
        , m_governor(engine.governor())
        , m_id(id)
        , m_path(std::move(path))
        , m_settings(std::move(settings))
        , m_slot(std::move(slot))
        , m_start(Clock::now())
        , m_linkToAll(all, [this] { m_cancel.cancel(); })
    {
        if (m_linkToAll.wasCancelledAtRegistration())
            m_cancel.cancel();
        m_report.id = id;
        m_report.mode = m_settings.mode;
        m_report.input = m_path;
    }

    void start()
    {
        auto self = shared_from_this();
        m_outstanding.store(1);
        m_engine.m_pool.start([self] { self->runReader(); });
    }

    void cancel() { fail(ErrorKind::Cancelled, tr("cancelled")); }
    void setPaused(bool paused) { m_gate.set(paused); }
    bool isPaused() const { return m_gate.isPaused(); }

private:
    struct Unit
    {
        quint64 index = 0;
        bool last = false;
        quint32 plainSize = 0;
        Buffer input; // pack: plain chunk; restore: stored bytes
        Buffer output; // pack: stored bytes; restore: plain chunk
        std::size_t outputSize = 0;
        bool transformed = false; // compressed/encrypted or authenticated/decompressed
        // Stages left of transform, hash and write (see stageDone()).
        std::atomic<int> stagesLeft{3};
        MemoryGuard memory;
        Permit perFile;
        bool counted = false; // counts against the file's in-flight window
        Clock::time_point queuedAt;
    };

    // --- shared plumbing ---

    bool failed() const { return m_cancel.isCancelled(); }

    void fail(ErrorKind kind, const QString &message)
    {
        {
            std::lock_guard lock(m_errorMutex);
            if (m_errorKind == ErrorKind::None) {
                m_errorKind = kind;
                m_error = message;
            }
        }
        m_cancel.cancel();
    }

    /// A chunk's data failed its check. Workers check chunks in parallel,
    /// so a later chunk can fail first; the report names the earliest of the
    /// chunks that were checked and failed (with a wrong key usually the
    /// first, which starts first), not whichever failed first in time.
    void failChunk(quint64 index, const QString &message)
    {
        {
            std::lock_guard lock(m_errorMutex);
            if (m_errorKind == ErrorKind::None || (m_errorKind == ErrorKind::DataIntegrity && index < m_errorChunk)) {
                m_errorKind = ErrorKind::DataIntegrity;
                m_error = message;
                m_errorChunk = index;
            }
        }
        m_cancel.cancel();
    }

    /// A permit, or false after recording why not (the file is being cancelled).
    bool take(Permit &permit, Permit acquired)
    {
        if (!acquired) {
            fail(ErrorKind::Cancelled, tr("cancelled"));
            return false;
        }
        permit = std::move(acquired);
        return true;
    }

    void release(const std::shared_ptr<Unit> &unit)
    {
        if (unit) {
            giveBackInput(*unit);
            m_engine.m_outputBuffers->give(std::move(unit->output));
            // Hand the memory back first: a place in the window (or the
            // permit) lets the reader admit the next chunk's memory. Then the
            // permit, now: the last release may finish the file, which drops
            // its per-file limiter.
            unit->memory = MemoryGuard();
        }
        if (unit && unit->counted) {
            unit->counted = false;
            {
                std::lock_guard lock(m_windowMutex);
                --m_unitsInFlight;
            }
            m_windowCv.notify_all();
        }
        if (unit)
            unit->perFile = Permit();
        if (m_outstanding.fetch_sub(1) == 1)
            finish();
    }

    /// A chunk is done with its input. A view of the input file that lost
    /// pages (the file shrank while it was mapped) held zeros, not the file.
    void giveBackInput(Unit &unit)
    {
        if (unit.input.damaged())
            fail(ErrorKind::Input,
                tr("%1 changed while being read, or part of it could no longer be read; nothing was written")
                    .arg(m_path));
        m_engine.m_buffers->give(std::move(unit.input));
    }

    QString changedWhileRead() const
    {
        return tr("%1 changed while being read (size or modification time changed); nothing was written").arg(m_path);
    }

    void spawnWorker(std::shared_ptr<Unit> unit)
    {
        ConcurrencyMetrics &m = m_governor.metrics();
        m.chunkQueued();
        m.taskSpawned();
        m_outstanding.fetch_add(1);
        unit->queuedAt = Clock::now();
        auto self = shared_from_this();
        m_engine.m_pool.start([self, unit]() mutable { self->runWorker(std::move(unit)); });
    }

    /// What a thread does next with chunks whose stage it finished.
    struct NextSteps
    {
        std::vector<std::shared_ptr<Unit>> write; // to the ordered writer
        std::vector<std::shared_ptr<Unit>> release; // done with every stage
    };

    void runWorker(std::shared_ptr<Unit> unit)
    {
        ConcurrencyMetrics &m = m_governor.metrics();
        ThreadContexts &ctx = contexts();
        ctx.applyBackground(m_governor.backgroundMode());
        NextSteps next;
        if (failed()) {
            m.chunkDequeued(nsSince(unit->queuedAt));
        } else {
            Permit cpu = m_governor.acquireCpu(m_cancel.token());
            // Queue wait: from the chunk being read to CPU work starting on it.
            m.chunkDequeued(nsSince(unit->queuedAt));
            if (cpu) {
                m.workerStarted();
                unit->transformed
                    = m_settings.mode == JobMode::Pack ? transformPack(*unit, ctx) : transformRestore(*unit, ctx);
                if (unit->transformed)
                    m.taskCompleted();
                else
                    m.taskFailed();
                stageDone(std::move(unit), Stage::Transform, next);
                // Still under this CPU permit: the file's SHA-256 over every
                // chunk that is next in line.
                hashInOrder(next);
                m.workerFinished();
            } else {
                fail(ErrorKind::Cancelled, tr("cancelled"));
            }
        }
        // Never got a permit (cancelled): it still passes through every
        // stage, in order, so the chunks after it are released; nothing is
        // hashed or written any more.
        if (unit) {
            m.taskFailed();
            stageDone(std::move(unit), Stage::Transform, next);
            hashInOrder(next);
        }
        // No CPU permit held from here on.
        for (auto &u : next.write)
            submitInOrder(std::move(u));
        for (auto &u : next.release)
            release(u);
    }

    /// One of a chunk's three stages is over. Pack: the transform and the
    /// hash (of the read bytes) run independently, the write follows both.
    /// Restore: the hash (of the decompressed bytes) and the write both
    /// follow the transform and run independently. A chunk is released
    /// after its last stage.
    enum class Stage { Transform, Hash, Write };

    void stageDone(std::shared_ptr<Unit> unit, Stage stage, NextSteps &next)
    {
        const bool pack = m_settings.mode == JobMode::Pack;
        const int left = unit->stagesLeft.fetch_sub(1) - 1;
        if (pack ? (left == 1 && stage != Stage::Write) : stage == Stage::Transform) {
            // The input is no longer needed: give its memory back before waiting.
            giveBackInput(*unit);
        }
        if (left == 0) {
            next.release.push_back(std::move(unit));
        } else if (pack && left == 1) {
            next.write.push_back(std::move(unit));
        } else if (!pack && left == 2) {
            queueForHash(unit);
            next.write.push_back(std::move(unit));
        }
    }

    void queueForHash(std::shared_ptr<Unit> unit)
    {
        std::lock_guard lock(m_hashMutex);
        const quint64 index = unit->index;
        m_toHash.emplace(index, std::move(unit));
    }

    /// The ordered SHA-256 of the file's plain data. Pack hashes each chunk
    /// as it was read (it does not need the compressed bytes), restore the
    /// decompressed output. Run by a worker that holds a CPU permit: whoever
    /// finds the next chunk in line hashes as far as the chunks allow, so no
    /// token waits for the hash and none is idle while a chunk could be
    /// hashed.
    void hashInOrder(NextSteps &next)
    {
        std::unique_lock lock(m_hashMutex);
        if (m_hashing)
            return;
        m_hashing = true;
        const bool pack = m_settings.mode == JobMode::Pack;
        for (;;) {
            auto it = m_toHash.find(m_nextToHash);
            if (it == m_toHash.end())
                break;
            std::shared_ptr<Unit> unit = std::move(it->second);
            m_toHash.erase(it);
            // Advanced before the chunk's stage is done: once it is, another
            // thread may release the chunk and run finish(), which reads this.
            ++m_nextToHash;
            lock.unlock();
            if (!failed() && (pack || unit->transformed)) {
                const Buffer &plain = pack ? unit->input : unit->output;
                m_sha.update(plain.data(), unit->plainSize);
            }
            stageDone(std::move(unit), Stage::Hash, next);
            lock.lock();
        }
        m_hashing = false;
    }

    /// Queues a finished chunk for the ordered writer; whoever completes the
    /// next chunk in line drains as far as possible.
    void submitInOrder(std::shared_ptr<Unit> unit)
    {
        std::unique_lock lock(m_orderMutex);
        m_ready.emplace(unit->index, std::move(unit));
        if (m_draining)
            return;
        m_draining = true;
        for (;;) {
            auto it = m_ready.find(m_nextToWrite);
            if (it == m_ready.end())
                break;
            std::shared_ptr<Unit> next = std::move(it->second);
            m_ready.erase(it);
            lock.unlock();
            if (!failed())
                writeInOrder(*next);
            lock.lock();
            ++m_nextToWrite;
            const bool more = m_ready.count(m_nextToWrite) != 0;
            if (!more)
                m_draining = false;
            lock.unlock();
            // Last: this may finish the file (when it was the last piece of work).
            NextSteps after;
            stageDone(std::move(next), Stage::Write, after);
            for (auto &u : after.release)
                release(u);
            if (!more)
                return;
            lock.lock();
        }
        m_draining = false;
    }

    bool writeOut(const std::uint8_t *data, std::size_t size)
    {
        if (size == 0 || !m_out.isOpen())
            return true;
        Permit io;
        if (!take(io, m_governor.acquireIo(m_cancel.token())))
            return false;
        QString error;
        posix::Failure failure = posix::Failure::None;
        std::size_t done = 0;
        if (m_direct && !directWritable(data, size))
            stopDirect(); // the rest (the end of the file) goes through the page cache
        if (!posix::writeFully(m_out.get(), data, size, &error, &failure, &done)) {
            if (failure != posix::Failure::Unsupported) {
                fail(ErrorKind::Io, tr("cannot write %1: %2").arg(m_outputPath, error));
                return false;
            }
            // The file system refused a direct write after all.
            stopDirect();
            if (!posix::writeFully(m_out.get(), data + done, size - done, &error, &failure)) {
                fail(ErrorKind::Io, tr("cannot write %1: %2").arg(m_outputPath, error));
                return false;
            }
        }
        // Pack: the output is a fraction of the work, so its writeback can
        // start at once and overlap the compression, and the final fsync
        // finds little left. Restore writes the bulk of the work directly
        // to the disk where it can (see openOutput()); through the page cache
        // the early writeback cost more system time than it saved (measured:
        // 0.77 s instead of 0.40 s for 512 MiB), so there the fsync does it.
        if (m_settings.mode == JobMode::Pack)
            posix::startWriteback(m_out.get(), m_written, size); // written in order: m_written is the offset
        m_written += size;
        m_governor.metrics().addBytesOut(size);
        return true;
    }

    /// Reads at \a offset under an I/O permit. \a count: add the bytes to the
    /// "bytes in" metric (false for a look-ahead whose bytes are read again).
    bool readIn(std::uint8_t *data, std::size_t size, quint64 offset, qint64 *got, bool count = true)
    {
        Permit io;
        if (!take(io, m_governor.acquireIo(m_cancel.token())))
            return false;
        QString error;
        *got = posix::readFully(m_in.get(), data, size, offset, &error);
        if (*got < 0) {
            fail(ErrorKind::Input, tr("cannot read %1: %2").arg(m_path, error));
            return false;
        }
        if (count)
            m_governor.metrics().addBytesIn(quint64(*got));
        return true;
    }

    bool admit(std::shared_ptr<Unit> &unit, std::size_t memoryBytes)
    {
        if (!m_engine.waitWhilePaused(m_cancel.token()) || !m_gate.wait(m_cancel.token())) {
            fail(ErrorKind::Cancelled, tr("cancelled"));
            return false;
        }
        unit = std::make_shared<Unit>();
        if (!take(unit->perFile, m_limiter->acquire(m_cancel.token())))
            return false;
        // Chunks of this file in flight (read, queued, working or waiting to be
        // written) stay within CPU tokens + 1, so peak memory follows
        // chunk size x CPU tokens, never the per-file setting alone.
        {
            std::unique_lock lock(m_windowMutex);
            while (m_unitsInFlight
                >= std::max(1, std::min(m_governor.perFileWorkers(), m_governor.cpuTokensTotal() + 1))) {
                if (failed())
                    return false;
                m_windowCv.wait_for(lock, std::chrono::milliseconds(20));
            }
            ++m_unitsInFlight;
            unit->counted = true;
        }
        unit->memory = m_governor.admitMemory(qint64(memoryBytes), m_cancel.token());
        if (!unit->memory) {
            fail(ErrorKind::Cancelled, tr("cancelled"));
            return false;
        }
        return true;
    }

    /// Reads a chunk of kMapFrom bytes or more as a view of the input file,
    /// under an I/O permit. False when it cannot (the caller reads it).
    bool mapChunk(Buffer &input, std::size_t size, quint64 offset, qint64 *got)
    {
        if (size < kMapFrom)
            return false;
        Permit io;
        if (!take(io, m_governor.acquireIo(m_cancel.token())))
            return false;
        if (!posix::mapInput(m_in.get(), offset, size, &input))
            return false;
        m_mappedInput = true;
        *got = qint64(size);
        m_governor.metrics().addBytesIn(size);
        return true;
    }

    /// Reads a chunk of the input. While a CPU token is free (at the start
    /// of a file, before the workers have their chunks), a big chunk is
    /// read in two halves at once, the second on a short-lived thread:
    /// reading from the page cache is CPU work (copying, faulting in the
    /// fresh buffer), and an idle core shortens the wait for the first
    /// chunks. When every token is busy, or in background mode, the read
    /// stays whole and on the reader.
    bool readChunk(std::uint8_t *data, std::size_t size, quint64 offset, qint64 *got)
    {
        constexpr std::size_t kSplitFrom = std::size_t(8) << 20;
        if (size < kSplitFrom || m_governor.cpuTokensAvailable() == 0 || m_governor.backgroundMode())
            return readIn(data, size, offset, got);
        const std::size_t half = (size / 2) & ~(posix::kIoPiece - 1);
        qint64 second = 0;
        bool secondOk = false;
        // A plain thread, joined below: the buffer is the caller's, and the
        // join is the hand-off (visible to the thread sanitizer, unlike a
        // pool's queue).
        std::thread helper;
        try {
            helper = std::thread([&] { secondOk = readIn(data + half, size - half, offset + half, &second); });
        } catch (const std::system_error &) {
            return readIn(data, size, offset, got); // no thread to be had: read it whole
        }
        qint64 first = 0;
        const bool firstOk = readIn(data, half, offset, &first);
        helper.join();
        if (!firstOk || !secondOk)
            return false;
        // A short first half is the end of the file, whatever the second read.
        *got = std::size_t(first) < half ? first : first + second;
        return true;
    }

    QString outputFolderFor(const QString &input) const
    {
        return m_settings.outputDir.isEmpty() ? QFileInfo(input).absolutePath() : m_settings.outputDir;
    }

    /// Direct writes need the memory, the size and the file offset aligned.
    bool directWritable(const std::uint8_t *data, std::size_t size) const
    {
        constexpr std::size_t a = posix::kDirectAlignment;
        return reinterpret_cast<std::uintptr_t>(data) % a == 0 && size % a == 0 && m_written % a == 0;
    }

    void stopDirect()
    {
        m_direct = false;
        (void)posix::setDirect(m_out.get(), false);
    }

    bool openOutput(const QString &finalPath)
    {
        m_outputPath = finalPath;
        m_outputDir = QFileInfo(finalPath).absolutePath();
        if (!m_settings.force && QFileInfo::exists(finalPath)) {
            fail(ErrorKind::Io, tr("%1 already exists (use --force to overwrite it)").arg(finalPath));
            return false;
        }
        QString error;
        const QString finalName = QFileInfo(finalPath).fileName();
        for (const QString &stale :
            posix::removeStaleTemporaries(m_outputDir, finalName, m_engine.temporariesIn(m_outputDir)))
            m_report.notes << tr("removed %1, a temporary file left behind by an interrupted run").arg(stale);
        m_out = posix::createTemporary(m_outputDir, finalName, &m_tempPath, &error);
        if (!m_out.isOpen()) {
            fail(ErrorKind::Io, error);
            return false;
        }
        // Restore writes chunks of whole pages straight from the chunk
        // buffers to the disk (O_DIRECT): no copy into the page cache, and the
        // disk writes while the next chunks decompress instead of all at once
        // in the final fsync (bench/RESULTS.md). Where the file system does
        // not offer it, or a size does not fit, writes go through the page
        // cache as usual.
        m_direct = m_settings.mode == JobMode::Restore && m_header.chunkSize >= kDirectFrom
            && m_header.chunkSize % posix::kDirectAlignment == 0 && posix::setDirect(m_out.get(), true);
        return true;
    }

    void runReader()
    {
        m_engine.markStarted(m_id);
        Q_EMIT m_engine.fileStarted(m_id);
        ThreadContexts &ctx = contexts();
        ctx.applyBackground(m_governor.backgroundMode());
        m_limiter = m_governor.makeFileLimiter(m_path);
        if (!failed()) {
            if (m_settings.mode == JobMode::Pack)
                readForPack();
            else
                readForRestore();
        }
        release(nullptr);
    }

    // --- pack ---

    std::shared_ptr<const SecureBytes> jobKey(const fgc::Header &h, QString *error)
    {
        switch (h.keySource) {
        case fgc::KeySource::None:
            return nullptr;
        case fgc::KeySource::Keychain: {
            const KeyMaterial &k = m_settings.keys;
            if (k.pending && m_settings.mode == JobMode::Pack) {
                // Once the key came (finishHeader() waited for it).
                if (const auto key = k.pending->key())
                    return key;
                *error = tr("cannot encrypt %1: the keychain could not give its master key: %2")
                             .arg(m_path, k.pending->error());
                return nullptr;
            }
            if (k.source != fgc::KeySource::Keychain || !k.masterKey) {
                *error = k.keychainError.isEmpty()
                    ? tr("it is encrypted with the keychain's master key, but no keychain key was given; use the "
                         "keychain key source")
                    : tr("it is encrypted with the keychain's master key, which the keychain could not give: %1")
                          .arg(k.keychainError);
                return nullptr;
            }
            const QString wanted = toHex(h.keyId);
            if (m_settings.mode != JobMode::Pack && wanted != k.keyId) {
                // The key id is not authenticated on its own: a damaged one
                // looks like another key, so the message names both causes.
                *error = tr("it was encrypted with another master key (key id %1; the keychain holds %2): import that "
                            "key first (if no key has that id, the container's header is damaged)")
                             .arg(wanted, k.keyId);
                return nullptr;
            }
            return k.masterKey;
        }
        case fgc::KeySource::Passphrase: {
            const KeyMaterial &k = m_settings.keys;
            if (k.source != fgc::KeySource::Passphrase || k.passphrase.isEmpty()) {
                *error = tr("it is protected by a passphrase; give the passphrase");
                return nullptr;
            }
            return m_engine.passphraseKey(k.passphrase, h.jobSalt, h.scrypt, error);
        }
        }
        return nullptr;
    }

    bool setUpCipher(const fgc::Header &h)
    {
        if (!h.encrypted())
            return true;
        QString error;
        const auto master = jobKey(h, &error);
        if (!master) {
            if (!failed())
                fail(ErrorKind::Key, error);
            return false;
        }
        auto key = deriveFileKey(master->span(), h.fileSalt, &error);
        if (!key) {
            fail(ErrorKind::Key, tr("cannot derive the file key: %1").arg(error));
            return false;
        }
        m_fileKey = std::move(*key);
        return true;
    }

    /// Completes the pack header: the key id, the file key, and the encoded
    /// bytes with their hash (which every chunk's associated data binds).
    /// With the keychain's key still pending it waits for the key first.
    /// Once per file, on whichever thread needs it first.
    bool finishHeader()
    {
        std::lock_guard lock(m_headerMutex);
        if (m_headerReady.load(std::memory_order_relaxed))
            return true;
        if (failed())
            return false;
        fgc::Header &h = m_header;
        if (h.encrypted()) {
            if (h.keySource == fgc::KeySource::Keychain) {
                const KeyMaterial &k = m_settings.keys;
                QString keyId = k.keyId;
                if (k.pending) {
                    if (!k.pending->wait(m_cancel.token())) {
                        fail(ErrorKind::Cancelled, tr("cancelled"));
                        return false;
                    }
                    keyId = k.pending->keyId();
                }
                const QByteArray id = QByteArray::fromHex(keyId.toLatin1());
                std::memcpy(
                    h.keyId.data(), id.constData(), std::min<std::size_t>(h.keyId.size(), std::size_t(id.size())));
            }
            if (!setUpCipher(h))
                return false;
        }
        m_headerBytes = fgc::encodeHeader(h, &m_headerHash);
        m_headerReady.store(true, std::memory_order_release);
        return true;
    }

    /// Writes the finished header at the start of the output (a container's
    /// only; the compatible mode has none). Before the first chunk, once.
    bool writeHeader()
    {
        if (!m_settings.compatible
            && !writeOut(
                reinterpret_cast<const std::uint8_t *>(m_headerBytes.constData()), std::size_t(m_headerBytes.size())))
            return false;
        m_headerWritten = true;
        return true;
    }

    bool prepareAead(Aead *&aead, ThreadContexts &ctx)
    {
        aead = ctx.aeadFor(m_header.cipher);
        if (!aead->isValid() || !aead->setKey(m_fileKey.span())) {
            fail(ErrorKind::Key, tr("the cipher is not available: %1").arg(aead->errorString()));
            return false;
        }
        return true;
    }

    void readForPack()
    {
        QString error;
        m_in = posix::openInput(m_path, &m_info, &error);
        if (!m_in.isOpen()) {
            fail(ErrorKind::Input, tr("%1: %2").arg(m_path, error));
            return;
        }
        const QFileInfo fi(m_path);
        fgc::Header &h = m_header;
        h.codec = m_settings.codec.id;
        h.level = m_settings.codec.id == CodecId::None ? 0 : m_settings.codec.level;
        h.cipher = m_settings.compatible ? CipherId::None : m_settings.cipher;
        h.keySource = h.cipher == CipherId::None ? fgc::KeySource::None : m_settings.keys.source;
        if (h.cipher != CipherId::None && h.keySource == fgc::KeySource::None) {
            fail(ErrorKind::Key, tr("encryption needs a key: choose the keychain or a passphrase, or --cipher none"));
            return;
        }
        h.chunkSize = m_settings.chunkSize ? std::clamp(m_settings.chunkSize, fgc::kMinChunkSize, fgc::kMaxChunkSize)
                                           : fgc::automaticChunkSize(m_info.size);
        // Bounded by the memory budget: two chunks in flight per CPU token must fit.
        const qint64 budget
            = m_governor.memoryHardLimit() > 0 ? m_governor.memoryHardLimit() : m_governor.memoryCapacity();
        const qint64 perChunk = budget / std::max(2 * (m_governor.cpuTokensTotal() + 2), 1);
        while (!m_settings.chunkSize && h.chunkSize > 64 * 1024 && qint64(h.chunkSize) * 2 > perChunk)
            h.chunkSize /= 2;
        h.originalSize = m_info.size;
        h.mode = m_info.mode;
        h.mtimeNs = m_info.mtimeNs;
        h.name = fi.fileName();
        if (h.encrypted()) {
            // A failed random generator must stop the file: a zero salt would
            // repeat keys (and so nonces) across files.
            if (!fillRandom(h.fileSalt)) {
                fail(ErrorKind::Key, tr("the system's random generator failed; nothing was encrypted"));
                return;
            }
            if (h.keySource == fgc::KeySource::Passphrase
                && m_settings.keys.jobSalt == std::array<std::uint8_t, kJobSaltSize>{}) {
                fail(ErrorKind::Key, tr("the job has no random salt (the random generator failed)"));
                return;
            }
            if (h.keySource == fgc::KeySource::Passphrase) {
                h.scrypt = m_settings.keys.scrypt;
                h.jobSalt = m_settings.keys.jobSalt;
            }
        }
        // With the keychain's key still on its way, the header (which names
        // the key) and the cipher wait for it: the first chunks are read and
        // compressed meanwhile, and the writer puts the header first.
        if (!h.encrypted() || !m_settings.keys.pending || m_settings.keys.pending->isResolved()) {
            if (!finishHeader())
                return;
        }
        m_report.chunkSize = h.chunkSize;
        m_report.originalSize = h.originalSize;
        const QString ext = m_settings.compatible ? CodecSpec::fileExtension(h.codec) : QStringLiteral(".fgc");
        if (m_settings.compatible && h.codec == CodecId::None) {
            fail(ErrorKind::Input, tr("the compatible mode needs a codec (zstd, gzip, lz4 or xz)"));
            return;
        }
        if (!openOutput(QDir(outputFolderFor(m_path)).filePath(fi.fileName() + ext)))
            return;
        if (m_headerReady.load(std::memory_order_acquire) && !writeHeader())
            return;

        const quint64 chunks = h.chunkCount();
        if (chunks == 0 && !m_headerWritten && (!finishHeader() || !writeHeader()))
            return;
        m_report.chunks = chunks;
        if (m_settings.compatible && chunks == 0) {
            // The standard tools refuse an empty file: write one empty frame.
            QString codecError;
            const auto c = m_engine.m_contexts->compressor(m_settings.codec, &codecError);
            Buffer empty(compressBound(h.codec, 0) + 64);
            std::size_t written = 0;
            if (!c || !c->compressInto(empty.data(), 0, empty.data(), empty.capacity(), &written, &codecError)) {
                fail(ErrorKind::Input, tr("compressing %1 failed: %2").arg(m_path, codecError));
                return;
            }
            if (!writeOut(empty.data(), written))
                return;
        }
        const std::size_t bound = compressBound(h.codec, h.chunkSize) + kAeadTagSize + 64;
        for (quint64 i = 0; i < chunks && !failed(); ++i) {
            const quint64 offset = i * h.chunkSize;
            const auto size = std::size_t(std::min<quint64>(h.chunkSize, h.originalSize - offset));
            std::shared_ptr<Unit> unit;
            if (!admit(unit, size + bound))
                return;
            unit->index = i;
            unit->last = i + 1 == chunks;
            unit->plainSize = quint32(size);
            qint64 got = 0;
            if (!mapChunk(unit->input, size, offset, &got)) {
                unit->input = m_engine.m_buffers->take(h.chunkSize);
                if (!readChunk(unit->input.data(), size, offset, &got))
                    return;
            }
            if (quint64(got) != size) {
                fail(ErrorKind::Input,
                    tr("%1 changed while being read (it shrank to %2 bytes)").arg(m_path).arg(offset + quint64(got)));
                return;
            }
            unit->input.setSize(size);
            // In line for the hash now (a worker hashes it while another
            // compresses it), and to a worker.
            queueForHash(unit);
            spawnWorker(std::move(unit));
        }
        if (failed())
            return;
        posix::InputInfo after;
        QString statError;
        if (!posix::statFd(m_in.get(), &after, &statError) || after.size != m_info.size
            || after.mtimeNs != m_info.mtimeNs) {
            fail(ErrorKind::Input, changedWhileRead());
            return;
        }
        m_report.inputSize = h.originalSize;
    }

    bool transformPack(Unit &u, ThreadContexts &ctx)
    {
        QString error;
        const std::size_t bound = compressBound(m_header.codec, u.plainSize) + kAeadTagSize + 64;
        u.output = m_engine.m_outputBuffers->take(std::max<std::size_t>(bound, m_header.chunkSize));
        std::size_t written = 0;
        const auto c = m_engine.m_contexts->compressor(m_settings.codec, &error);
        if (!c) {
            fail(ErrorKind::Input, tr("codec %1: %2").arg(m_settings.codec.toString(), error));
            return false;
        }
        if (!c->compressInto(std::as_const(u.input).data(), u.plainSize, u.output.data(),
                u.output.capacity() - kAeadTagSize, &written, &error)) {
            fail(ErrorKind::Input, tr("compressing %1 failed: %2").arg(m_path, error));
            return false;
        }
        if (m_header.encrypted()) {
            // The key may still have been on its way while this compressed.
            if (!m_headerReady.load(std::memory_order_acquire) && !finishHeader())
                return false;
            Aead *aead = nullptr;
            if (!prepareAead(aead, ctx))
                return false;
            const auto nonce = fgc::chunkNonce(u.index);
            const auto aad = fgc::chunkAad(m_headerHash, u.index, u.last, u.plainSize);
            if (!aead->sealTo(nonce, aad, std::span<const std::uint8_t>(u.output.data(), written),
                    std::span<std::uint8_t>(u.output.data(), written + kAeadTagSize))) {
                fail(ErrorKind::Key, tr("encryption failed: %1").arg(aead->errorString()));
                return false;
            }
            written += kAeadTagSize;
        }
        u.outputSize = written;
        return true;
    }

    void writeInOrder(Unit &u)
    {
        if (m_settings.mode == JobMode::Pack) {
            if (!m_headerWritten && (!finishHeader() || !writeHeader()))
                return;
            if (!m_settings.compatible) {
                fgc::ChunkRecord r;
                r.last = u.last;
                r.plainSize = u.plainSize;
                r.storedSize = quint32(u.outputSize);
                if (!m_header.encrypted())
                    r.crc = fgc::chunkCrc(m_headerHash, u.index, u.last, u.plainSize,
                        std::span<const std::uint8_t>(u.output.data(), u.outputSize));
                std::uint8_t prefix[32];
                fgc::encodeChunkPrefix(m_header, r, prefix);
                if (!writeOut(prefix, fgc::chunkRecordPrefixSize(m_header)))
                    return;
            }
            if (!writeOut(u.output.data(), u.outputSize))
                return;
        } else {
            // Restore writes in order too: buffered writes to one file are
            // serialised by the file system anyway (its inode lock), and
            // writers at different offsets only spin on that lock (measured:
            // 0.3 s more system time for 512 MiB, 20 % slower).
            if (!writeOut(u.output.data(), u.plainSize))
                return;
        }
        m_done += u.plainSize;
        Q_EMIT m_engine.fileProgress(m_id, m_done, m_header.originalSize);
    }

    // --- restore and verify ---

    void readForRestore()
    {
        QString error;
        m_in = posix::openInput(m_path, &m_info, &error);
        if (!m_in.isOpen()) {
            fail(ErrorKind::Input, tr("%1: %2").arg(m_path, error));
            return;
        }
        // The header: at most 64 KiB (fixed fields plus a name of at most 4 KiB).
        Buffer head(64 * 1024);
        qint64 got = 0;
        if (!readIn(head.data(), head.capacity(), 0, &got, false)) // the chunks after the header are read again
            return;
        std::size_t headerSize = 0;
        const auto status = fgc::parseHeader(std::span<const std::uint8_t>(head.data(), std::size_t(got)), &m_header,
            &headerSize, &m_headerHash, &error);
        if (status != fgc::ParseStatus::Ok) {
            fail(ErrorKind::DataIntegrity,
                status == fgc::ParseStatus::NeedMore
                    ? tr("%1 is truncated: the container header is incomplete").arg(m_path)
                    : tr("%1: %2").arg(m_path, error));
            return;
        }
        m_governor.metrics().addBytesIn(headerSize);
        m_report.chunkSize = m_header.chunkSize;
        m_report.originalSize = m_header.originalSize;
        if (!setUpCipher(m_header))
            return;
        if (m_settings.mode == JobMode::Restore && !openOutput(QDir(outputFolderFor(m_path)).filePath(m_header.name)))
            return;

        const quint64 chunks = m_header.chunkCount();
        m_report.chunks = chunks;
        const std::size_t prefixSize = fgc::chunkRecordPrefixSize(m_header);
        const std::size_t maxStored = std::size_t(fgc::maxStoredSize(m_header));
        quint64 offset = headerSize;
        for (quint64 i = 0; i < chunks && !failed(); ++i) {
            const auto expectedPlain
                = quint32(std::min<quint64>(m_header.chunkSize, m_header.originalSize - i * m_header.chunkSize));
            std::shared_ptr<Unit> unit;
            if (!admit(unit, maxStored + expectedPlain))
                return;
            std::uint8_t prefix[32];
            if (!readIn(prefix, prefixSize, offset, &got))
                return;
            fgc::ChunkRecord r;
            if (std::size_t(got) < prefixSize) {
                fail(ErrorKind::DataIntegrity,
                    tr("%1 is truncated: chunk %2 of %3 is missing").arg(m_path).arg(i + 1).arg(chunks));
                return;
            }
            if (prefix[0] == fgc::kTrailerTag) {
                fail(ErrorKind::DataIntegrity,
                    tr("%1 is truncated or damaged: it ends after %2 of %3 chunks").arg(m_path).arg(i).arg(chunks));
                return;
            }
            if (fgc::parseChunkPrefix(m_header, std::span<const std::uint8_t>(prefix, prefixSize), &r, &error)
                != fgc::ParseStatus::Ok) {
                fail(ErrorKind::DataIntegrity, tr("%1: chunk %2: %3").arg(m_path).arg(i + 1).arg(error));
                return;
            }
            if (r.last != (i + 1 == chunks) || r.plainSize != expectedPlain) {
                fail(ErrorKind::DataIntegrity,
                    tr("%1: chunk %2 is out of place (chunks were removed, added or reordered)")
                        .arg(m_path)
                        .arg(i + 1));
                return;
            }
            unit->index = i;
            unit->last = r.last;
            unit->plainSize = r.plainSize;
            unit->input = m_engine.m_buffers->take(std::max<std::size_t>(r.storedSize, 1));
            if (!readIn(unit->input.data(), r.storedSize, offset + prefixSize, &got))
                return;
            if (quint64(got) != r.storedSize) {
                fail(ErrorKind::DataIntegrity,
                    tr("%1 is truncated inside chunk %2 of %3").arg(m_path).arg(i + 1).arg(chunks));
                return;
            }
            unit->input.setSize(r.storedSize);
            if (!m_header.encrypted()) {
                const quint32 crc = fgc::chunkCrc(m_headerHash, i, r.last, r.plainSize,
                    std::span<const std::uint8_t>(unit->input.data(), r.storedSize));
                if (crc != r.crc) {
                    fail(ErrorKind::DataIntegrity,
                        tr("%1: chunk %2 of %3 is damaged (checksum mismatch)").arg(m_path).arg(i + 1).arg(chunks));
                    return;
                }
            }
            offset += prefixSize + r.storedSize;
            spawnWorker(std::move(unit));
        }
        if (failed())
            return;
        // The trailer, then the end of the file.
        const std::size_t trailerSize = 1 + fgc::storedTrailerSize(m_header);
        Buffer trailer(trailerSize + 1);
        if (!readIn(trailer.data(), trailerSize + 1, offset, &got))
            return;
        if (std::size_t(got) < trailerSize || trailer.data()[0] != fgc::kTrailerTag) {
            fail(ErrorKind::DataIntegrity,
                std::size_t(got) < trailerSize
                    ? tr("%1 is truncated: the trailer is missing").arg(m_path)
                    : tr("%1 is damaged: more chunks than its header announces").arg(m_path));
            return;
        }
        if (std::size_t(got) > trailerSize) {
            fail(ErrorKind::DataIntegrity, tr("%1 is damaged: unexpected data after the trailer").arg(m_path));
            return;
        }
        m_trailer.assign(trailer.data() + 1, trailer.data() + trailerSize);
        m_report.inputSize = offset + trailerSize;
    }

    bool transformRestore(Unit &u, ThreadContexts &ctx)
    {
        QString error;
        std::size_t storedPayload = u.input.size();
        if (m_header.encrypted()) {
            Aead *aead = nullptr;
            if (!prepareAead(aead, ctx))
                return false;
            const auto nonce = fgc::chunkNonce(u.index);
            const auto aad = fgc::chunkAad(m_headerHash, u.index, u.last, u.plainSize);
            storedPayload -= kAeadTagSize;
            if (!aead->openTo(nonce, aad, std::span<const std::uint8_t>(u.input.data(), u.input.size()),
                    std::span<std::uint8_t>(u.input.data(), storedPayload))) {
                failChunk(u.index,
                    tr("%1: chunk %2 failed authentication: wrong key or passphrase, or the container was modified or "
                       "damaged")
                        .arg(m_path)
                        .arg(u.index + 1));
                return false;
            }
        }
        u.output = m_engine.m_outputBuffers->take(m_header.chunkSize);
        const auto d = m_engine.m_contexts->decompressor(m_header.codec, &error);
        if (!d || !d->decompressInto(u.input.data(), storedPayload, u.output.data(), u.plainSize, &error)) {
            failChunk(u.index, tr("%1: chunk %2 does not decompress: %3").arg(m_path).arg(u.index + 1).arg(error));
            return false;
        }
        return true;
    }

    bool finishHash()
    {
        const auto digest = m_nextToHash == m_header.chunkCount() ? m_sha.finish() : std::nullopt;
        if (!digest) {
            fail(m_settings.mode == JobMode::Pack ? ErrorKind::Input : ErrorKind::DataIntegrity, tr("SHA-256 failed"));
            return false;
        }
        std::memcpy(m_computedSha.data(), digest->data(), fgc::kHashSize);
        return true;
    }

    bool verifyTrailer()
    {
        if (m_settings.mode == JobMode::Pack)
            return true;
        std::array<std::uint8_t, fgc::kTrailerPayloadSize> payload{};
        if (m_header.encrypted()) {
            Aead aead(m_header.cipher);
            if (!aead.setKey(m_fileKey.span())
                || !aead.openTo(fgc::trailerNonce(m_header.chunkCount()), fgc::trailerAad(m_headerHash),
                    std::span<const std::uint8_t>(m_trailer.data(), m_trailer.size()), payload)) {
                fail(ErrorKind::DataIntegrity,
                    m_header.chunkCount() == 0
                        ? tr("%1: authentication failed: wrong key or passphrase, or the container was modified")
                              .arg(m_path)
                        : tr("%1: the trailer failed authentication: the container was modified").arg(m_path));
                return false;
            }
        } else {
            std::memcpy(payload.data(), m_trailer.data(), payload.size());
            const auto check = fgc::trailerCheck(m_headerHash, payload);
            if (std::memcmp(check.data(), m_trailer.data() + payload.size(), check.size()) != 0) {
                fail(ErrorKind::DataIntegrity, tr("%1: the trailer is damaged (checksum mismatch)").arg(m_path));
                return false;
            }
        }
        const fgc::Trailer t = fgc::decodeTrailerPayload(payload);
        if (t.chunkCount != m_header.chunkCount() || t.originalSize != m_header.originalSize) {
            fail(ErrorKind::DataIntegrity, tr("%1: the trailer does not match the header").arg(m_path));
            return false;
        }
        if (t.sha256 != m_computedSha) {
            fail(ErrorKind::DataIntegrity,
                tr("%1: the restored data's SHA-256 does not match the one recorded when it was packed").arg(m_path));
            return false;
        }
        return true;
    }

    bool writeTrailer()
    {
        if (m_settings.mode != JobMode::Pack || m_settings.compatible)
            return true;
        fgc::Trailer t;
        t.chunkCount = m_header.chunkCount();
        t.originalSize = m_header.originalSize;
        t.sha256 = m_computedSha;
        const auto payload = fgc::encodeTrailerPayload(t);
        std::vector<std::uint8_t> out;
        out.push_back(fgc::kTrailerTag);
        if (m_header.encrypted()) {
            Aead aead(m_header.cipher);
            Bytes sealed;
            if (!aead.setKey(m_fileKey.span())
                || !aead.seal(fgc::trailerNonce(t.chunkCount), fgc::trailerAad(m_headerHash), payload, sealed)) {
                fail(ErrorKind::Key, tr("encryption failed: %1").arg(aead.errorString()));
                return false;
            }
            out.insert(out.end(), sealed.begin(), sealed.end());
        } else {
            out.insert(out.end(), payload.begin(), payload.end());
            const auto check = fgc::trailerCheck(m_headerHash, payload);
            out.insert(out.end(), check.begin(), check.end());
        }
        return writeOut(out.data(), out.size());
    }

    /// Runs once, on the thread that finished the last piece of work.
    /// Chunks read as views of the file (FileMapping) are read by the
    /// workers until the last one is done, not only until the reader is: a
    /// change in that time would reach the container. So the file is checked
    /// once more at the end.
    bool inputUnchangedSinceOpen()
    {
        posix::InputInfo now;
        QString error;
        if (posix::statFd(m_in.get(), &now, &error) && now.size == m_info.size && now.mtimeNs == m_info.mtimeNs)
            return true;
        fail(ErrorKind::Input, changedWhileRead());
        return false;
    }

    void finish()
    {
        bool ok = !failed() && m_nextToWrite == m_header.chunkCount();
        if (ok && m_mappedInput)
            ok = inputUnchangedSinceOpen();
        if (ok)
            ok = finishHash();
        if (ok && m_settings.mode == JobMode::Pack)
            ok = writeTrailer();
        if (ok)
            ok = verifyTrailer();
        QString error;
        if (ok && m_out.isOpen()) {
            if (m_settings.mode == JobMode::Restore
                && !posix::setModeAndTime(m_out.get(), m_header.mode, m_header.mtimeNs, &error)) {
                qCWarning(lcEngine) << m_outputPath << error;
                m_report.notes << tr("%1: its permissions and modification time could not be restored: %2")
                                      .arg(m_outputPath, error);
            }
            if (m_settings.mode == JobMode::Pack)
                (void)::fchmod(m_out.get(), mode_t(m_info.mode & 0666)); // readable by whoever could read the original
            if (!posix::syncFd(m_out.get(), &error)) {
                fail(ErrorKind::Io, tr("cannot write %1: %2").arg(m_outputPath, error));
                ok = false;
            }
        }
        m_in = posix::Fd();
        // Renamed while still open: its lock tells other runs it is not a
        // killed run's leftover until it has its final name (restore has set
        // its mtime back by now, so its age says nothing).
        if (ok && !m_tempPath.isEmpty()) {
            bool existed = false;
            if (!posix::publish(m_tempPath, m_outputPath, m_settings.force, &error, &existed)) {
                fail(ErrorKind::Io, error);
                ok = false;
            } else {
                m_tempPath.clear();
                posix::syncDirectory(m_outputDir);
            }
        }
        m_out = posix::Fd();
        if (!m_tempPath.isEmpty())
            QFile::remove(m_tempPath); // never leave a partial output behind
        m_fileKey.clear();

        m_report.seconds = std::chrono::duration<double>(Clock::now() - m_start).count();
        m_governor.metrics().recordFileLatency(nsSince(m_start));
        if (ok) {
            m_report.state = FileState::Done;
            m_report.sha256 = toHex(m_computedSha);
            if (m_settings.mode != JobMode::Verify)
                m_report.output = m_outputPath;
            m_report.outputSize = m_written;
            if (m_settings.mode == JobMode::Pack)
                m_report.ratio = m_header.originalSize ? double(m_written) / double(m_header.originalSize) : 0.0;
            else
                m_report.ratio
                    = m_header.originalSize ? double(m_report.inputSize) / double(m_header.originalSize) : 0.0;
        } else {
            std::lock_guard lock(m_errorMutex);
            m_report.errorKind = m_errorKind == ErrorKind::None ? ErrorKind::Cancelled : m_errorKind;
            m_report.error = m_error.isEmpty() ? tr("cancelled") : m_error;
            m_report.state = m_report.errorKind == ErrorKind::Cancelled ? FileState::Cancelled : FileState::Failed;
        }
        m_limiter.reset();
        m_slot = Permit();
        m_engine.taskFinished(m_id, m_report);
    }

    Engine &m_engine;
    Governor &m_governor;
    const int m_id;
    const QString m_path;
    const JobSettings m_settings;
    Permit m_slot;
    const Clock::time_point m_start;
    CancellationSource m_cancel;
    CancellationCallback m_linkToAll;
    PauseGate m_gate;
    std::shared_ptr<TokenPool> m_limiter;
    std::atomic<int> m_outstanding{0};
    std::atomic<bool> m_mappedInput{false}; // some chunk was read as a view of the file
    bool m_direct = false; // restore: the output is written with O_DIRECT (by one writer at a time)
    std::mutex m_headerMutex; // pack: finishHeader()
    std::atomic<bool> m_headerReady{false}; // pack: m_header, m_headerBytes, m_headerHash and the file key are final
    QByteArray m_headerBytes;
    bool m_headerWritten = false; // by the reader before any chunk, or by the writer before the first
    std::mutex m_windowMutex;
    std::condition_variable m_windowCv;
    int m_unitsInFlight = 0;

    std::mutex m_errorMutex;
    ErrorKind m_errorKind = ErrorKind::None;
    QString m_error;
    quint64 m_errorChunk = ~quint64(0); // the chunk m_error names, if any

    posix::Fd m_in;
    posix::InputInfo m_info;
    posix::Fd m_out;
    QString m_outputPath;
    QString m_outputDir;
    QString m_tempPath;
    std::atomic<quint64> m_written{0};
    quint64 m_done = 0;

    fgc::Header m_header;
    fgc::Hash m_headerHash{};
    SecureBytes m_fileKey;
    Sha256 m_sha;
    fgc::Hash m_computedSha{};
    std::vector<std::uint8_t> m_trailer;

    std::mutex m_hashMutex;
    std::map<quint64, std::shared_ptr<Unit>> m_toHash;
    quint64 m_nextToHash = 0;
    bool m_hashing = false;

    std::mutex m_orderMutex;
    std::map<quint64, std::shared_ptr<Unit>> m_ready;
    quint64 m_nextToWrite = 0;
    bool m_draining = false;

    FileReport m_report;
};

// --- the engine -----------------------------------------------------------------------

struct Engine::Entry
{
    QString path;
    JobSettings settings;
    FileState state = FileState::Queued;
    bool pausedBeforeStart = false;
    std::shared_ptr<FileTask> task;
    FileReport report;
};

Engine::Engine(Governor &governor, QObject *parent)
    : QObject(parent)
    , m_governor(governor)
    // Inputs and outputs are pooled apart: an output buffer only ever has
    // the compressed bytes' pages touched, and keeps it that way.
    , m_buffers(std::make_unique<BufferPool>(4))
    , m_outputBuffers(std::make_unique<BufferPool>(4))
    , m_contexts(std::make_unique<ContextPool>(governor))
{
    // Tasks block on permits, so the pool needs more threads than cores; the
    // governor, not the pool, decides how many run at once.
    m_pool.setMaxThreadCount(256);
    m_pool.setExpiryTimeout(30'000);
    m_dispatcher = std::thread([this] { dispatch(); });
}

QStringList Engine::temporariesIn(const QString &dir)
{
    std::lock_guard lock(m_temporariesMutex);
    auto it = m_temporaries.find(dir);
    if (it == m_temporaries.end())
        it = m_temporaries.emplace(dir, posix::temporariesIn(dir)).first;
    return it->second;
}

int Engine::codecContextsPeak() const
{
    return m_contexts->peakLive();
}

Engine::~Engine()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_paused = false;
    }
    m_cancelAll.cancel();
    m_cv.notify_all();
    m_dispatcher.join();
    m_pool.waitForDone();
}

int Engine::addFile(const QString &path, const JobSettings &settings)
{
    auto entry = std::make_shared<Entry>();
    entry->path = path;
    entry->settings = settings;
    int id = 0;
    {
        std::lock_guard lock(m_mutex);
        id = m_nextId++;
        entry->report.id = id;
        entry->report.input = path;
        entry->report.mode = settings.mode;
        m_entries.emplace(id, entry);
        m_queue.push_back(id);
    }
    m_cv.notify_all();
    return id;
}

void Engine::dispatch()
{
    for (;;) {
        // A file to start, then a file slot for it (first come, first
        // served), waited for outside the lock.
        CancellationToken cancelToken;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || (!m_paused && nextStartable() != 0); });
            if (m_stopping)
                return;
            cancelToken = m_cancelAll.token();
        }
        Permit slot = m_governor.acquireFileSlot(cancelToken);
        std::unique_lock lock(m_mutex);
        if (m_stopping)
            return;
        if (!slot) // cancelAll() while waiting: the loop drains the cancelled queue
            continue;
        // The slot goes to the first startable file now, which need not be
        // the one the wait began for: a file paused before and resumed
        // meanwhile keeps its place ahead of it.
        const int id = nextStartable();
        if (id == 0)
            continue; // every queued file was cancelled or paused meanwhile; the slot goes back
        const std::shared_ptr<Entry> entry = m_entries[id];
        m_queue.erase(std::find(m_queue.begin(), m_queue.end(), id));
        ++m_running;
        entry->task = std::make_shared<FileTask>(*this, id, entry->path, entry->settings, std::move(slot), cancelToken);
        if (entry->pausedBeforeStart)
            entry->task->setPaused(true);
        auto task = entry->task;
        lock.unlock();
        task->start();
    }
}

int Engine::nextStartable() const
{
    // A file paused while queued keeps its place but is passed over.
    for (const int id : m_queue) {
        const auto it = m_entries.find(id);
        if (it != m_entries.end() && it->second->state == FileState::Queued)
            return id;
    }
    return 0;
}

void Engine::taskFinished(int id, const FileReport &report)
{
    bool nowIdle = false;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_entries.find(id);
        if (it != m_entries.end()) {
            it->second->state = report.state;
            it->second->report = report;
            it->second->task.reset();
        }
        --m_running;
        nowIdle = m_running == 0 && m_queue.empty();
        ++m_announcing;
    }
    m_cv.notify_all(); // the dispatcher may start the next file now
    if (nowIdle) {
        // Nothing runs: give the pooled chunk buffers back to the system.
        m_buffers->clear();
        m_outputBuffers->clear();
        m_contexts->clear();
        {
            std::lock_guard lock(m_temporariesMutex);
            m_temporaries.clear(); // the next run looks again
        }
    }
    Q_EMIT fileStateChanged(id, report.state);
    Q_EMIT fileFinished(report);
    if (nowIdle)
        Q_EMIT idle();
    announced();
}

void Engine::announced()
{
    {
        std::lock_guard lock(m_mutex);
        --m_announcing;
    }
    m_cv.notify_all();
}

void Engine::markStarted(int id)
{
    {
        std::lock_guard lock(m_mutex);
        auto it = m_entries.find(id);
        // Paused (or cancelled) between the dispatch and this start: it stays so.
        if (it == m_entries.end() || it->second->state != FileState::Queued)
            return;
        it->second->state = FileState::Running;
    }
    Q_EMIT fileStateChanged(id, FileState::Running);
}

bool Engine::globalPaused() const
{
    std::lock_guard lock(m_mutex);
    return m_paused;
}

bool Engine::waitWhilePaused(const CancellationToken &token)
{
    if (!globalPaused())
        return !token.isCancelled();
    // See PauseGate::wait for the order of registration and locking.
    CancellationCallback wake(token, [this] {
        std::lock_guard l(m_mutex);
        m_cv.notify_all();
    });
    if (wake.wasCancelledAtRegistration())
        return false;
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_paused || token.isCancelled() || m_stopping; });
    return !token.isCancelled();
}

void Engine::pauseAll()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = true;
    }
    m_cv.notify_all();
}

void Engine::resumeAll()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
    }
    m_cv.notify_all();
}

bool Engine::isPaused() const
{
    return globalPaused();
}

void Engine::cancelAll()
{
    std::vector<FileReport> cancelledQueued;
    {
        std::lock_guard lock(m_mutex);
        for (int id : m_queue) {
            auto &e = m_entries[id];
            e->state = FileState::Cancelled;
            e->report.state = FileState::Cancelled;
            e->report.errorKind = ErrorKind::Cancelled;
            e->report.error = tr("cancelled before it started");
            cancelledQueued.push_back(e->report);
        }
        m_queue.clear();
        ++m_announcing;
        // A fresh source for files added later; running files see this one.
    }
    m_cancelAll.cancel();
    {
        std::lock_guard lock(m_mutex);
        m_cancelAll = CancellationSource();
    }
    m_cv.notify_all();
    for (const auto &r : cancelledQueued) {
        Q_EMIT fileStateChanged(r.id, r.state);
        Q_EMIT fileFinished(r);
    }
    if (!cancelledQueued.empty() && isIdle())
        Q_EMIT idle();
    announced();
}

void Engine::pause(int id)
{
    std::shared_ptr<FileTask> task;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_entries.find(id);
        if (it == m_entries.end())
            return;
        const FileState state = it->second->state;
        if (state != FileState::Running && state != FileState::Queued)
            return; // already paused, or finished: nothing to pause
        it->second->pausedBeforeStart = true;
        it->second->state = FileState::Paused;
        task = it->second->task;
    }
    if (task)
        task->setPaused(true);
    Q_EMIT fileStateChanged(id, FileState::Paused);
}

void Engine::resume(int id)
{
    std::shared_ptr<FileTask> task;
    FileState state = FileState::Queued;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_entries.find(id);
        if (it == m_entries.end())
            return;
        it->second->pausedBeforeStart = false;
        if (it->second->state != FileState::Paused)
            return; // not paused: nothing to resume
        task = it->second->task;
        it->second->state = task ? FileState::Running : FileState::Queued;
        state = it->second->state;
    }
    m_cv.notify_all(); // a queued file may start now
    if (task)
        task->setPaused(false);
    Q_EMIT fileStateChanged(id, state);
}

void Engine::cancel(int id)
{
    std::shared_ptr<FileTask> task;
    std::optional<FileReport> queuedReport;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_entries.find(id);
        if (it == m_entries.end())
            return;
        task = it->second->task;
        if (!task) {
            auto q = std::find(m_queue.begin(), m_queue.end(), id);
            if (q != m_queue.end()) {
                m_queue.erase(q);
                it->second->state = FileState::Cancelled;
                it->second->report.state = FileState::Cancelled;
                it->second->report.errorKind = ErrorKind::Cancelled;
                it->second->report.error = tr("cancelled before it started");
                queuedReport = it->second->report;
                ++m_announcing;
            }
        }
    }
    m_cv.notify_all();
    if (task)
        task->cancel();
    if (queuedReport) {
        Q_EMIT fileStateChanged(id, FileState::Cancelled);
        Q_EMIT fileFinished(*queuedReport);
        if (isIdle())
            Q_EMIT idle();
        announced();
    }
}

bool Engine::isIdle() const
{
    std::lock_guard lock(m_mutex);
    return m_running == 0 && m_queue.empty();
}

bool Engine::waitForIdle(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    // Also waits for the finished files' signals (fileFinished, idle) to be
    // emitted: after it returns, a direct connection has seen every one.
    return m_cv.wait_for(lock, timeout, [this] { return m_running == 0 && m_queue.empty() && m_announcing == 0; });
}

QList<FileReport> Engine::reports() const
{
    std::lock_guard lock(m_mutex);
    QList<FileReport> out;
    for (const auto &[id, e] : m_entries) {
        out.append(e->report);
        out.last().state = e->state; // the live state: queued, running or paused until it ends
    }
    return out;
}

FileReport Engine::report(int id) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return FileReport();
    FileReport r = it->second->report;
    r.state = it->second->state; // the live state: queued, running or paused until it ends
    return r;
}

std::shared_ptr<const SecureBytes> Engine::passphraseKey(const QString &passphrase,
    const std::array<std::uint8_t, kJobSaltSize> &salt, const ScryptParams &params, QString *error)
{
    QByteArray cacheKey(reinterpret_cast<const char *>(salt.data()), int(salt.size()));
    cacheKey += char(params.log2N);
    cacheKey += QByteArray::number(params.r) + ':' + QByteArray::number(params.p) + ':';
    {
        Sha256 h; // the passphrase itself is not kept in the map key
        h.update(passphrase.toUtf8());
        const auto d = h.finish();
        if (d)
            cacheKey.append(reinterpret_cast<const char *>(d->data()), int(d->size()));
    }
    std::lock_guard lock(m_keyMutex); // one derivation at a time; the others reuse it
    auto it = m_passphraseKeys.find(cacheKey);
    if (it != m_passphraseKeys.end())
        return it->second;
    MemoryGuard scryptMemory(m_governor, qint64(params.memoryBytes()));
    auto key = derivePassphraseKey(passphrase, salt, params, error);
    if (!key)
        return nullptr;
    auto shared = std::make_shared<const SecureBytes>(std::move(*key));
    m_passphraseKeys.emplace(cacheKey, shared);
    ++m_derivations;
    return shared;
}

} // namespace flowgate
