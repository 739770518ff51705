// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/cancellation.h"
#include "governor/memoryguard.h"
#include "governor/resourceconfig.h"
#include "governor/tokenpool.h"
#include "metrics/concurrencymetrics.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace flowgate {

/// The two-level resource governor.
///
/// Global level: CPU tokens, I/O tokens, memory (a gauge with an optional soft
/// limit that warns and an optional hard limit that admits), and a cap on
/// files in flight. Local level: per-file limiters made by makeFileLimiter(),
/// resized together by setPerFileWorkers().
///
/// Threads: every member may be called from any thread. The QObject lives in
/// the thread that made it; its signals are emitted from whichever thread
/// caused the event, so connect with a context object (queued delivery).
/// Tests create as many governors as they like; the process-wide default is
/// initResourceManager() / resourceManager().
class Governor final : public QObject
{
    Q_OBJECT

public:
    explicit Governor(const ResourceConfig &config = {}, QObject *parent = nullptr);
    ~Governor() override;
    Q_DISABLE_COPY_MOVE(Governor)

    // --- CPU and I/O permits -------------------------------------------------
    Permit acquireCpu(const CancellationToken &cancel = {}) { return m_cpu.acquire(cancel); }
    Permit acquireCpuUntil(std::chrono::steady_clock::time_point deadline, const CancellationToken &cancel = {})
    {
        return m_cpu.acquireUntil(deadline, cancel);
    }
    Permit acquireCpuFor(std::chrono::nanoseconds timeout, const CancellationToken &cancel = {})
    {
        return m_cpu.acquireFor(timeout, cancel);
    }
    Permit tryAcquireCpu() { return m_cpu.tryAcquire(); }

    Permit acquireIo(const CancellationToken &cancel = {}) { return m_io.acquire(cancel); }
    Permit acquireIoUntil(std::chrono::steady_clock::time_point deadline, const CancellationToken &cancel = {})
    {
        return m_io.acquireUntil(deadline, cancel);
    }
    Permit acquireIoFor(std::chrono::nanoseconds timeout, const CancellationToken &cancel = {})
    {
        return m_io.acquireFor(timeout, cancel);
    }
    Permit tryAcquireIo() { return m_io.tryAcquire(); }

    int cpuTokensAvailable() const { return m_cpu.available(); }
    int cpuTokensTotal() const { return m_cpu.total(); }
    int cpuTokensInUse() const { return m_cpu.inUse(); }
    int ioTokensAvailable() const { return m_io.available(); }
    int ioTokensTotal() const { return m_io.total(); }
    int ioTokensInUse() const { return m_io.inUse(); }

    /// Live resizing: grow wakes waiters at once, shrink is lazy.
    void setCpuTokens(int total);
    void setIoTokens(int total);
    /// Sets the storage type and the I/O tokens to its default.
    void setStorageType(StorageType type);
    StorageType storageType() const;

    // --- memory ---------------------------------------------------------------
    /// Counts bytes in (never waits). Prefer MemoryGuard.
    void allocateMemory(qint64 bytes) noexcept;
    void deallocateMemory(qint64 bytes) noexcept;
    MemoryGuard trackMemory(qint64 bytes) { return MemoryGuard(*this, bytes); }
    /// Waits until bytes fit under the hard limit (no hard limit: at once).
    /// Admission is first come, first served, and a request is always admitted
    /// when no other admitted guard is held, so a request larger than the
    /// limit still makes progress and admission cannot deadlock. Returns an
    /// invalid guard if cancelled.
    MemoryGuard admitMemory(qint64 bytes, const CancellationToken &cancel = {});

    qint64 memoryUsed() const { return m_memUsed.load(std::memory_order_relaxed); }
    qint64 memoryPeak() const { return m_memPeak.load(std::memory_order_relaxed); }
    qint64 memoryCapacity() const { return m_memCapacity.load(std::memory_order_relaxed); }
    void setMemoryCapacity(qint64 bytes);
    qint64 memorySoftLimit() const { return m_memSoftLimit.load(std::memory_order_relaxed); }
    void setMemorySoftLimit(qint64 bytes);
    qint64 memoryHardLimit() const { return m_memHardLimit.load(std::memory_order_relaxed); }
    void setMemoryHardLimit(qint64 bytes);
    /// How many times usage crossed the soft limit upwards.
    quint64 memorySoftLimitWarnings() const { return m_softWarnings.load(std::memory_order_relaxed); }
    int memoryWaiters() const { return m_memWaiters.load(std::memory_order_relaxed); }

    // --- local level ----------------------------------------------------------
    /// Cap on files processed at once (the files-in-flight limiter).
    Permit acquireFileSlot(const CancellationToken &cancel = {}) { return m_files.acquire(cancel); }
    int filesInFlightLimit() const { return m_files.total(); }
    int filesInFlight() const { return m_files.inUse(); }
    void setFilesInFlight(int limit);
    /// A per-file limiter holding perFileWorkers() tokens; kept in step with
    /// setPerFileWorkers() for as long as the caller holds it.
    std::shared_ptr<TokenPool> makeFileLimiter(const QString &fileName = {});
    int perFileWorkers() const { return m_perFileWorkers.load(std::memory_order_relaxed); }
    void setPerFileWorkers(int workers);

    // --- background mode ------------------------------------------------------
    /// When on, workers lower their own CPU and I/O priority before work
    /// (BackgroundPriority); they check backgroundMode() per task.
    void setBackgroundMode(bool on);
    bool backgroundMode() const { return m_background.load(std::memory_order_relaxed); }

    // --- metrics ----------------------------------------------------------------
    ConcurrencyMetrics &metrics() { return m_metrics; }
    const ConcurrencyMetrics &metrics() const { return m_metrics; }
    const TokenPool &cpuPool() const { return m_cpu; }
    const TokenPool &ioPool() const { return m_io; }
    const TokenPool &filePool() const { return m_files; }

    /// The configuration as resolved at construction, updated by the setters.
    ResourceConfig config() const;

Q_SIGNALS:
    /// Usage crossed the soft limit upwards (emitted from the allocating thread).
    void memorySoftLimitExceeded(qint64 used, qint64 limit);
    /// A token total changed (setCpuTokens, setIoTokens, setStorageType, ...).
    void limitsChanged();

private:
    friend class MemoryGuard;
    void releaseAdmitted(qint64 bytes) noexcept;
    void accountAllocation(qint64 before, qint64 after) noexcept;
    void notifyMemoryWaiters() noexcept;
    void advancePastSkippedLocked();

    ConcurrencyMetrics m_metrics; // first: the pools record into it
    TokenPool m_cpu;
    TokenPool m_io;
    TokenPool m_files;

    std::atomic<int> m_storageKind;
    std::atomic<int> m_storageCustom;

    std::atomic<qint64> m_memUsed{0};
    std::atomic<qint64> m_memPeak{0};
    std::atomic<qint64> m_memCapacity{0};
    std::atomic<qint64> m_memSoftLimit{0};
    std::atomic<qint64> m_memHardLimit{0};
    std::atomic<quint64> m_softWarnings{0};
    std::atomic<int> m_memWaiters{0};

    std::mutex m_memMutex; // guards admission (m_admittedGuards, m_ticket*)
    std::condition_variable m_memCv;
    int m_admittedGuards = 0;
    quint64 m_nextTicket = 0;
    quint64 m_servingTicket = 0;
    std::vector<quint64> m_skippedTickets; // cancelled before their turn

    std::atomic<int> m_perFileWorkers{4};
    std::mutex m_limitersMutex;
    std::vector<std::weak_ptr<TokenPool>> m_limiters;

    std::atomic<bool> m_background{false};
};

/// Initialises the process-wide governor. Returns false and sets *error if it
/// was already initialised (the first configuration stays in force).
[[nodiscard]] bool initResourceManager(const ResourceConfig &config, QString *error = nullptr);
/// True once initResourceManager() succeeded.
bool isResourceManagerInitialised();
/// The process-wide governor. Throws std::logic_error with a message that
/// names initResourceManager() when called before it.
Governor &resourceManager();

} // namespace flowgate
