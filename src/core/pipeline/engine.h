// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/cancellation.h"
#include "pipeline/jobtypes.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace flowgate {

class Governor;
class FileTask;
class BufferPool;
class ContextPool;

/// The processing engine: packs, restores and verifies files through the
/// governor.
///
/// Files run in the order added, at most the governor's files-in-flight at
/// once. Per file, a reader reads chunk i at its offset holding an I/O permit
/// (and, when packing, hashes it holding a CPU permit); workers on the
/// engine's QThreadPool, each holding a CPU permit, compress + encrypt (or
/// authenticate + decompress) chunks in parallel, at most per-file-workers of
/// one file at a time; the chunks are then written in order holding an I/O
/// permit. Outputs go to a hidden temporary file in the target folder that is
/// fsynced and renamed into place only once everything is written and
/// verified.
///
/// Threads: every public member may be called from any thread; none of them
/// waits on a file, the governor or a key, except waitForIdle(). Signals are
/// emitted from worker threads: connect with a context object (queued).
class Engine final : public QObject
{
    Q_OBJECT

public:
    explicit Engine(Governor &governor, QObject *parent = nullptr);
    ~Engine() override; ///< cancels everything and waits for the workers
    /// The most codec contexts (compressors and decompressors) that existed
    /// at once: at most the CPU tokens, whatever the files and threads.
    [[nodiscard]] int codecContextsPeak() const;
    Q_DISABLE_COPY_MOVE(Engine)

    /// Queues a file (a regular file for pack, a container for restore /
    /// verify) and returns its id. It starts when a file slot is free.
    int addFile(const QString &path, const JobSettings &settings);

    void pauseAll();
    void resumeAll();
    bool isPaused() const;
    /// Cancels every queued and running file (each within one chunk).
    void cancelAll();
    void pause(int id);
    void resume(int id);
    void cancel(int id);

    bool isIdle() const;
    /// Blocks until nothing is queued or running and the finished files'
    /// fileFinished() and idle() signals have been emitted (for the CLI and
    /// tests; never call it on a GUI thread, nor from a slot connected
    /// directly to those signals). False on timeout.
    bool waitForIdle(std::chrono::milliseconds timeout = std::chrono::hours(24 * 365));

    /// Every file's report so far; its state is the live one (queued,
    /// running, paused) until the file ends.
    QList<FileReport> reports() const;
    FileReport report(int id) const;

    Governor &governor() { return m_governor; }

Q_SIGNALS:
    void fileStarted(int id);
    void fileStateChanged(int id, flowgate::FileState state);
    /// Bytes of the original processed so far, of total.
    void fileProgress(int id, quint64 done, quint64 total);
    void fileFinished(const flowgate::FileReport &report);
    /// Nothing is queued or running any more.
    void idle();

private:
    friend class FileTask;
    struct Entry;
    void dispatch();
    int nextStartable() const; // first queued file that is not paused, 0 if none (m_mutex held)
    void taskFinished(int id, const FileReport &report);
    void announced(); // a finished file's signals are out (see m_announcing)
    void markStarted(int id); // Queued -> Running, unless paused or cancelled meanwhile
    bool globalPaused() const;
    /// The pause gate of the whole engine; returns false if cancelled.
    bool waitWhilePaused(const CancellationToken &token);

    Governor &m_governor;
    QThreadPool m_pool;
    std::unique_ptr<BufferPool> m_buffers; ///< chunk inputs (plain when packing, stored when restoring)
    std::unique_ptr<BufferPool> m_outputBuffers; ///< chunk outputs
    std::unique_ptr<ContextPool> m_contexts; ///< codec contexts, lent to workers per chunk
    /// Possible temporaries per output folder, listed once per run (see
    /// posix::temporariesIn()); cleared when the engine goes idle.
    QStringList temporariesIn(const QString &dir);
    std::mutex m_temporariesMutex;
    std::map<QString, QStringList> m_temporaries;

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<int, std::shared_ptr<Entry>> m_entries;
    std::deque<int> m_queue;
    int m_nextId = 1;
    int m_running = 0;
    int m_announcing = 0; // finished files whose signals are being emitted (waitForIdle() waits for them)
    bool m_paused = false;
    bool m_stopping = false;
    CancellationSource m_cancelAll;
    std::thread m_dispatcher;

    // Passphrase keys, derived once per (job salt, cost) and shared by the
    // job's files.
    std::mutex m_keyMutex;
    std::map<QByteArray, std::shared_ptr<const SecureBytes>> m_passphraseKeys;
    std::atomic<int> m_derivations{0};

public:
    /// How many passphrase derivations (scrypt) this engine has run: one per
    /// passphrase and job salt, however many files share them.
    int passphraseDerivations() const { return m_derivations.load(); }
    /// For FileTask: the job key of a passphrase job (scrypt once per job).
    std::shared_ptr<const SecureBytes> passphraseKey(const QString &passphrase,
        const std::array<std::uint8_t, kJobSaltSize> &salt, const ScryptParams &params, QString *error);
};

} // namespace flowgate
