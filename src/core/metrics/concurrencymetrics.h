// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"
#include "metrics/waithistogram.h"

#include <QString>
#include <QtGlobal>

#include <atomic>
#include <mutex>
#include <optional>

namespace flowgate {

class Governor;

/// The recorders a governor's users write into, and the seed's accessors.
///
/// Recording (any thread, wait-free): the wait histograms, the queue depth
/// between reader and workers, active workers, task and byte counters.
/// Reading: the accessors. Saturation and the percentiles come from the most
/// recent sample when a MetricsSampler runs (saturation time-weighted over the
/// sample interval, percentiles over the sliding window); with no sampler they
/// cover the whole run so far. Waits are reported in fractional milliseconds.
class ConcurrencyMetrics final
{
public:
    explicit ConcurrencyMetrics(const Governor &governor);
    Q_DISABLE_COPY_MOVE(ConcurrencyMetrics)

    // --- recorders ------------------------------------------------------------
    WaitHistogram &cpuWaitHistogram() { return m_cpuWait; }
    WaitHistogram &ioWaitHistogram() { return m_ioWait; }
    WaitHistogram &queueWaitHistogram() { return m_queueWait; }
    WaitHistogram &fileLatencyHistogram() { return m_fileLatency; }
    const WaitHistogram &cpuWaitHistogram() const { return m_cpuWait; }
    const WaitHistogram &ioWaitHistogram() const { return m_ioWait; }
    const WaitHistogram &queueWaitHistogram() const { return m_queueWait; }
    const WaitHistogram &fileLatencyHistogram() const { return m_fileLatency; }

    /// A chunk entered the reader → worker queue.
    void chunkQueued() noexcept;
    /// A chunk left the queue after waiting waitNs (recorded as queue wait).
    void chunkDequeued(quint64 waitNs) noexcept;
    void workerStarted() noexcept { m_activeWorkers.fetch_add(1, std::memory_order_relaxed); }
    void workerFinished() noexcept { m_activeWorkers.fetch_sub(1, std::memory_order_relaxed); }
    void taskSpawned() noexcept { m_tasksSpawned.fetch_add(1, std::memory_order_relaxed); }
    void taskCompleted() noexcept { m_tasksCompleted.fetch_add(1, std::memory_order_relaxed); }
    void taskFailed() noexcept { m_tasksFailed.fetch_add(1, std::memory_order_relaxed); }
    void addBytesIn(quint64 n) noexcept { m_bytesIn.fetch_add(n, std::memory_order_relaxed); }
    void addBytesOut(quint64 n) noexcept { m_bytesOut.fetch_add(n, std::memory_order_relaxed); }
    void recordFileLatency(quint64 ns) noexcept { m_fileLatency.record(ns); }

    // --- the seed's accessors -------------------------------------------------
    int cpuTokensAvailable() const;
    int cpuTokensTotal() const;
    int ioTokensAvailable() const;
    int ioTokensTotal() const;
    double cpuSaturationPercent() const;
    double ioSaturationPercent() const;
    qint64 memoryUsed() const;
    double memoryUsedMb() const; ///< MiB (bytes / 2^20)
    double memoryUtilizationPercent() const;
    double cpuWaitP50() const { return waitPercentile(Which::Cpu, 0.50); }
    double cpuWaitP95() const { return waitPercentile(Which::Cpu, 0.95); }
    double cpuWaitP99() const { return waitPercentile(Which::Cpu, 0.99); }
    double ioWaitP50() const { return waitPercentile(Which::Io, 0.50); }
    double ioWaitP95() const { return waitPercentile(Which::Io, 0.95); }
    double ioWaitP99() const { return waitPercentile(Which::Io, 0.99); }
    double cpuQueueWaitP50() const { return waitPercentile(Which::Queue, 0.50); }
    double cpuQueueWaitP95() const { return waitPercentile(Which::Queue, 0.95); }
    double cpuQueueWaitP99() const { return waitPercentile(Which::Queue, 0.99); }
    int cpuQueueDepth() const { return m_queueDepth.load(std::memory_order_relaxed); }
    int cpuQueueDepthMax() const { return m_queueDepthMax.load(std::memory_order_relaxed); }
    int activeWorkers() const { return m_activeWorkers.load(std::memory_order_relaxed); }
    quint64 tasksSpawned() const { return m_tasksSpawned.load(std::memory_order_relaxed); }
    quint64 tasksCompleted() const { return m_tasksCompleted.load(std::memory_order_relaxed); }
    quint64 tasksFailed() const { return m_tasksFailed.load(std::memory_order_relaxed); }
    quint64 bytesIn() const { return m_bytesIn.load(std::memory_order_relaxed); }
    quint64 bytesOut() const { return m_bytesOut.load(std::memory_order_relaxed); }

    /// "Resources: CPU=87.5%, I/O=12.0%, Mem=3.1%" from the latest values.
    QString summaryLine() const;
    static QString summaryLine(const MetricsSnapshot &s);

    /// The sampler publishes each snapshot here; accessors read it.
    void publish(const MetricsSnapshot &snapshot);
    std::optional<MetricsSnapshot> latest() const;
    /// Resets the queue-depth maximum (start of a new run).
    void resetQueueDepthMax() noexcept { m_queueDepthMax.store(m_queueDepth.load(std::memory_order_relaxed), std::memory_order_relaxed); }

private:
    enum class Which { Cpu, Io, Queue };
    double waitPercentile(Which which, double q) const;

    const Governor &m_governor;
    WaitHistogram m_cpuWait;
    WaitHistogram m_ioWait;
    WaitHistogram m_queueWait;
    WaitHistogram m_fileLatency;

    alignas(64) std::atomic<int> m_queueDepth{0};
    std::atomic<int> m_queueDepthMax{0};
    alignas(64) std::atomic<int> m_activeWorkers{0};
    std::atomic<quint64> m_tasksSpawned{0};
    std::atomic<quint64> m_tasksCompleted{0};
    std::atomic<quint64> m_tasksFailed{0};
    alignas(64) std::atomic<quint64> m_bytesIn{0};
    std::atomic<quint64> m_bytesOut{0};

    mutable std::mutex m_latestMutex;
    std::optional<MetricsSnapshot> m_latest;
};

} // namespace flowgate
