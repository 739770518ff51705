// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/metricssampler.h"

#include "governor/governor.h"
#include "governor/utilisationprobe.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcMetrics, "flowgate.metrics")

namespace flowgate {

MetricsSampler::MetricsSampler(Governor &governor)
    : MetricsSampler(governor, Options())
{
}

MetricsSampler::MetricsSampler(Governor &governor, Options options)
    : m_governor(governor)
    , m_options(options)
    , m_start(std::chrono::steady_clock::now())
{
    m_options.capacity = std::max(m_options.capacity, 1);
    m_options.interval = std::max(m_options.interval, std::chrono::milliseconds(1));
    m_lastSampleTime = m_start;
    m_nextSummaryMs = m_options.summaryEvery.count();
    const PoolIntegral cpu = governor.cpuPool().integral();
    const PoolIntegral io = governor.ioPool().integral();
    m_lastCpuHeld = cpu.heldTokenSeconds;
    m_lastCpuCapacity = cpu.capacityTokenSeconds;
    m_lastIoHeld = io.heldTokenSeconds;
    m_lastIoCapacity = io.capacityTokenSeconds;
    m_summaryCpuHeld = m_lastCpuHeld;
    m_summaryCpuCapacity = m_lastCpuCapacity;
    m_summaryIoHeld = m_lastIoHeld;
    m_summaryIoCapacity = m_lastIoCapacity;
    m_lastBytesIn = governor.metrics().bytesIn();
    m_lastBytesOut = governor.metrics().bytesOut();
    auto &m = governor.metrics();
    m_cpu.histogram = &m.cpuWaitHistogram();
    m_io.histogram = &m.ioWaitHistogram();
    m_queue.histogram = &m.queueWaitHistogram();
    m_file.histogram = &m.fileLatencyHistogram();
    for (Tracked *t : {&m_cpu, &m_io, &m_queue, &m_file}) {
        t->histogram->snapshotInto(t->previous);
        // The window starts empty; the run-wide figures include earlier waits.
    }
}

MetricsSampler::~MetricsSampler()
{
    stop();
}

void MetricsSampler::start()
{
    std::lock_guard lock(m_runMutex);
    if (m_thread.joinable())
        return;
    m_stopRequested = false;
    m_thread = std::thread([this] { run(); });
}

void MetricsSampler::stop()
{
    {
        std::lock_guard lock(m_runMutex);
        if (!m_thread.joinable())
            return;
        m_stopRequested = true;
    }
    m_runCv.notify_all();
    m_thread.join();
    std::function<void(const QString &)> summary;
    QString line;
    {
        std::lock_guard lock(m_mutex);
        summary = m_summaryCallback;
        if (!m_ring.empty() && m_lastCpuCapacity > m_summaryCpuCapacity)
            line = summaryLineLocked(m_ring.back(), m_lastCpuHeld, m_lastCpuCapacity, m_lastIoHeld, m_lastIoCapacity);
    }
    if (summary && !line.isEmpty())
        summary(line);
}

bool MetricsSampler::isRunning() const
{
    return m_thread.joinable();
}

void MetricsSampler::run()
{
    auto next = std::chrono::steady_clock::now() + m_options.interval;
    std::unique_lock lock(m_runMutex);
    while (!m_stopRequested) {
        if (m_runCv.wait_until(lock, next, [this] { return m_stopRequested; }))
            break;
        lock.unlock();
        sampleNow();
        lock.lock();
        next += m_options.interval;
        const auto now = std::chrono::steady_clock::now();
        if (next < now) // fell behind (machine busy): skip, do not burst
            next = now + m_options.interval;
    }
}

Percentiles MetricsSampler::percentilesOf(const HistogramCounts &counts)
{
    Percentiles p;
    p.count = counts.totalCount();
    p.p50Ms = counts.quantileMs(0.50);
    p.p95Ms = counts.quantileMs(0.95);
    p.p99Ms = counts.quantileMs(0.99);
    return p;
}

void MetricsSampler::advance(Tracked &t, qint64 elapsedMs, Percentiles *window, Percentiles *run)
{
    t.histogram->snapshotInto(t.current);
    std::vector<std::pair<int, std::uint64_t>> delta;
    for (int b = 0; b < HistogramLayout::kBucketCount; ++b) {
        const std::uint64_t now = t.current.bucketCount(b);
        const std::uint64_t before = t.previous.bucketCount(b);
        if (now > before) {
            delta.emplace_back(b, now - before);
            t.window.addBucket(b, now - before);
        }
    }
    t.deltas.emplace_back(elapsedMs, std::move(delta));
    const qint64 cutoff = elapsedMs - m_options.window.count();
    while (!t.deltas.empty() && t.deltas.front().first <= cutoff) {
        t.scratch.clear();
        for (const auto &[bucket, count] : t.deltas.front().second)
            t.scratch.addBucket(bucket, count);
        t.window.subtract(t.scratch);
        t.deltas.pop_front();
    }
    std::swap(t.previous, t.current);
    if (window)
        *window = percentilesOf(t.window);
    if (run)
        *run = percentilesOf(t.previous);
}

MetricsSnapshot MetricsSampler::sampleNow()
{
    std::unique_lock lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    MetricsSnapshot s;
    s.elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(now - m_start).count();
    const double intervalSeconds = std::chrono::duration<double>(now - m_lastSampleTime).count();
    s.intervalMs = std::chrono::duration_cast<std::chrono::milliseconds>(now - m_lastSampleTime).count();
    s.wallClockMsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    m_lastSampleTime = now;

    const Governor &g = m_governor;
    const ConcurrencyMetrics &m = g.metrics();

    s.cpuTokensTotal = g.cpuTokensTotal();
    s.cpuTokensInUse = g.cpuTokensInUse();
    s.cpuTokensAvailable = g.cpuTokensAvailable();
    s.cpuWaiters = g.cpuPool().waiters();
    s.ioTokensTotal = g.ioTokensTotal();
    s.ioTokensInUse = g.ioTokensInUse();
    s.ioTokensAvailable = g.ioTokensAvailable();
    s.ioWaiters = g.ioPool().waiters();
    s.storageType = g.storageType().toString();

    const PoolIntegral cpu = g.cpuPool().integral();
    const PoolIntegral io = g.ioPool().integral();
    const double cpuCap = cpu.capacityTokenSeconds - m_lastCpuCapacity;
    const double ioCap = io.capacityTokenSeconds - m_lastIoCapacity;
    s.cpuSaturationPercent = cpuCap > 0 ? 100.0 * (cpu.heldTokenSeconds - m_lastCpuHeld) / cpuCap
                                        : (s.cpuTokensTotal > 0 ? 100.0 * s.cpuTokensInUse / s.cpuTokensTotal : 0.0);
    s.ioSaturationPercent = ioCap > 0 ? 100.0 * (io.heldTokenSeconds - m_lastIoHeld) / ioCap
                                      : (s.ioTokensTotal > 0 ? 100.0 * s.ioTokensInUse / s.ioTokensTotal : 0.0);
    m_lastCpuHeld = cpu.heldTokenSeconds;
    m_lastCpuCapacity = cpu.capacityTokenSeconds;
    m_lastIoHeld = io.heldTokenSeconds;
    m_lastIoCapacity = io.capacityTokenSeconds;

    s.memoryUsedBytes = g.memoryUsed();
    s.memoryPeakBytes = g.memoryPeak();
    s.memoryCapacityBytes = g.memoryCapacity();
    s.memorySoftLimitBytes = g.memorySoftLimit();
    s.memoryHardLimitBytes = g.memoryHardLimit();
    s.memoryUtilizationPercent = s.memoryCapacityBytes > 0 ? 100.0 * double(s.memoryUsedBytes) / double(s.memoryCapacityBytes) : 0.0;

    advance(m_cpu, s.elapsedMs, &s.cpuWait, &s.cpuWaitRun);
    advance(m_io, s.elapsedMs, &s.ioWait, &s.ioWaitRun);
    advance(m_queue, s.elapsedMs, &s.queueWait, &s.queueWaitRun);
    advance(m_file, s.elapsedMs, &s.fileLatency, nullptr);
    s.cpuWaitTotalMs = double(g.cpuPool().totalWaitNs()) / 1e6;
    s.ioWaitTotalMs = double(g.ioPool().totalWaitNs()) / 1e6;

    s.queueDepth = m.cpuQueueDepth();
    s.queueDepthMax = m.cpuQueueDepthMax();
    s.activeWorkers = m.activeWorkers();
    s.filesInFlight = g.filesInFlight();
    s.tasksSpawned = m.tasksSpawned();
    s.tasksCompleted = m.tasksCompleted();
    s.tasksFailed = m.tasksFailed();
    s.bytesIn = m.bytesIn();
    s.bytesOut = m.bytesOut();
    if (intervalSeconds > 0) {
        s.throughputInMBps = double(s.bytesIn - m_lastBytesIn) / 1e6 / intervalSeconds;
        s.throughputOutMBps = double(s.bytesOut - m_lastBytesOut) / 1e6 / intervalSeconds;
    }
    m_lastBytesIn = s.bytesIn;
    m_lastBytesOut = s.bytesOut;
    s.note = std::exchange(m_pendingNote, QString());

    m_ring.push_back(s);
    while (int(m_ring.size()) > m_options.capacity)
        m_ring.pop_front();

    QString summary;
    if (m_options.summaryEvery.count() > 0 && s.elapsedMs >= m_nextSummaryMs) {
        summary = summaryLineLocked(s, cpu.heldTokenSeconds, cpu.capacityTokenSeconds, io.heldTokenSeconds, io.capacityTokenSeconds);
        while (m_nextSummaryMs <= s.elapsedMs)
            m_nextSummaryMs += m_options.summaryEvery.count();
    }
    auto sampleCallback = m_sampleCallback;
    auto summaryCallback = m_summaryCallback;
    lock.unlock();

    m_governor.metrics().publish(s);
    if (sampleCallback)
        sampleCallback(s);
    if (!summary.isEmpty()) {
        if (summaryCallback)
            summaryCallback(summary);
        else
            qCInfo(lcMetrics).noquote() << summary;
    }
    return s;
}

QString MetricsSampler::summaryLineLocked(const MetricsSnapshot &s, double cpuHeld, double cpuCapacity, double ioHeld,
                                          double ioCapacity)
{
    MetricsSnapshot period = s;
    const double cpuCap = cpuCapacity - m_summaryCpuCapacity;
    const double ioCap = ioCapacity - m_summaryIoCapacity;
    if (cpuCap > 0)
        period.cpuSaturationPercent = 100.0 * (cpuHeld - m_summaryCpuHeld) / cpuCap;
    if (ioCap > 0)
        period.ioSaturationPercent = 100.0 * (ioHeld - m_summaryIoHeld) / ioCap;
    m_summaryCpuHeld = cpuHeld;
    m_summaryCpuCapacity = cpuCapacity;
    m_summaryIoHeld = ioHeld;
    m_summaryIoCapacity = ioCapacity;
    return ConcurrencyMetrics::summaryLine(period);
}

QList<MetricsSnapshot> MetricsSampler::snapshots() const
{
    std::lock_guard lock(m_mutex);
    return QList<MetricsSnapshot>(m_ring.begin(), m_ring.end());
}

QList<MetricsSnapshot> MetricsSampler::snapshotsSince(qint64 fromElapsedMs) const
{
    std::lock_guard lock(m_mutex);
    auto it = std::lower_bound(m_ring.begin(), m_ring.end(), fromElapsedMs,
                               [](const MetricsSnapshot &s, qint64 t) { return s.elapsedMs < t; });
    return QList<MetricsSnapshot>(it, m_ring.end());
}

std::optional<MetricsSnapshot> MetricsSampler::latest() const
{
    std::lock_guard lock(m_mutex);
    if (m_ring.empty())
        return std::nullopt;
    return m_ring.back();
}

void MetricsSampler::addNote(const QString &note)
{
    std::lock_guard lock(m_mutex);
    if (!m_pendingNote.isEmpty())
        m_pendingNote += QStringLiteral("; ");
    m_pendingNote += note;
}

void MetricsSampler::setSampleCallback(std::function<void(const MetricsSnapshot &)> callback)
{
    std::lock_guard lock(m_mutex);
    m_sampleCallback = std::move(callback);
}

void MetricsSampler::setSummaryCallback(std::function<void(const QString &)> callback)
{
    std::lock_guard lock(m_mutex);
    m_summaryCallback = std::move(callback);
}

} // namespace flowgate
