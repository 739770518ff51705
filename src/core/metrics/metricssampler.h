// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"
#include "metrics/waithistogram.h"

#include <QList>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace flowgate {

class Governor;

/// Takes a MetricsSnapshot of a governor at a fixed interval into a bounded
/// ring, publishes it to the governor's ConcurrencyMetrics, and produces the
/// periodic summary line.
///
/// Per sample: gauges are read at the instant; saturation is the
/// time-weighted average over the interval since the previous sample (from
/// the UtilisationProbe's integrals); wait percentiles are computed for the
/// sliding window (default 10 s, from per-interval histogram deltas) and for
/// the whole run (cumulative histograms); throughput is bytes during the
/// interval divided by its length.
///
/// Threads: start()/stop() from the owning thread; sampleNow(), snapshots(),
/// latest() from any thread (sampling is serialised by a mutex). Callbacks run
/// on the thread that takes the sample (the sampler's own thread after
/// start()); they must be quick and must not call back into the sampler.
class MetricsSampler final
{
public:
    struct Options
    {
        std::chrono::milliseconds interval{250};
        std::chrono::milliseconds window{10'000};
        std::chrono::milliseconds summaryEvery{10'000};
        int capacity = 36000; ///< snapshots kept: 2 h 30 min at 4 Hz
    };

    explicit MetricsSampler(Governor &governor);
    MetricsSampler(Governor &governor, Options options);
    ~MetricsSampler();
    Q_DISABLE_COPY_MOVE(MetricsSampler)

    void start();
    void stop();
    bool isRunning() const;

    /// Takes a sample now and returns it.
    MetricsSnapshot sampleNow();

    /// Every snapshot in the ring, oldest first.
    QList<MetricsSnapshot> snapshots() const;
    /// Snapshots with elapsedMs >= fromElapsedMs, oldest first.
    QList<MetricsSnapshot> snapshotsSince(qint64 fromElapsedMs) const;
    std::optional<MetricsSnapshot> latest() const;
    int capacity() const { return m_options.capacity; }
    const Options &options() const { return m_options; }

    /// Text attached to the next snapshot's note column (appended with "; ").
    void addNote(const QString &note);

    void setSampleCallback(std::function<void(const MetricsSnapshot &)> callback);
    /// Called with the summary line every summaryEvery (and by stop()). The
    /// line's saturation figures are time-weighted over the period since the
    /// previous line; memory is the utilisation at the instant.
    void setSummaryCallback(std::function<void(const QString &)> callback);

private:
    struct Tracked
    {
        const WaitHistogram *histogram = nullptr;
        HistogramCounts previous;      // cumulative at the previous sample
        HistogramCounts window;        // sum of deltas inside the window
        std::deque<std::pair<qint64, std::vector<std::pair<int, std::uint64_t>>>> deltas; // (elapsedMs, sparse delta)
        HistogramCounts scratch;
        HistogramCounts current;
    };
    static Percentiles percentilesOf(const HistogramCounts &counts);
    void advance(Tracked &t, qint64 elapsedMs, Percentiles *window, Percentiles *run);
    void run();

    Governor &m_governor;
    Options m_options;
    const std::chrono::steady_clock::time_point m_start;

    mutable std::mutex m_mutex; // guards everything below
    std::chrono::steady_clock::time_point m_lastSampleTime;
    double m_lastCpuHeld = 0, m_lastCpuCapacity = 0, m_lastIoHeld = 0, m_lastIoCapacity = 0;
    quint64 m_lastBytesIn = 0, m_lastBytesOut = 0;
    qint64 m_nextSummaryMs = 0;
    // Integrals at the previous summary line: the line averages over its period.
    double m_summaryCpuHeld = 0, m_summaryCpuCapacity = 0, m_summaryIoHeld = 0, m_summaryIoCapacity = 0;
    QString summaryLineLocked(const MetricsSnapshot &s, double cpuHeld, double cpuCapacity, double ioHeld, double ioCapacity);
    Tracked m_cpu, m_io, m_queue, m_file;
    std::deque<MetricsSnapshot> m_ring;
    QString m_pendingNote;
    std::function<void(const MetricsSnapshot &)> m_sampleCallback;
    std::function<void(const QString &)> m_summaryCallback;

    std::mutex m_runMutex;
    std::condition_variable m_runCv;
    bool m_stopRequested = false;
    std::thread m_thread;
};

} // namespace flowgate
