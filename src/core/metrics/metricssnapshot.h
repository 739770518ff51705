// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QString>
#include <QtGlobal>

namespace flowgate {

/// Three percentiles of a wait distribution, in milliseconds (fractional).
struct Percentiles
{
    double p50Ms = 0.0;
    double p95Ms = 0.0;
    double p99Ms = 0.0;
    quint64 count = 0; ///< samples the percentiles were computed from
};

/// Everything the sampler knows at one instant, plus what happened during
/// the interval that ended at that instant. Plain data: copy freely.
///
/// Units are in the field names; every "Percent" is 0..100 (saturation can
/// exceed 100 only during a lazy shrink, when more permits are held than the
/// new total).
struct MetricsSnapshot
{
    // When
    qint64 elapsedMs = 0;      ///< since the sampler started
    qint64 intervalMs = 0;     ///< length of the interval this row covers
    qint64 wallClockMsSinceEpoch = 0;

    // CPU tokens
    int cpuTokensTotal = 0;
    int cpuTokensInUse = 0;     ///< at the instant of the sample
    int cpuTokensAvailable = 0;
    int cpuWaiters = 0;
    double cpuSaturationPercent = 0.0; ///< time-weighted average over the interval

    // I/O tokens
    int ioTokensTotal = 0;
    int ioTokensInUse = 0;
    int ioTokensAvailable = 0;
    int ioWaiters = 0;
    double ioSaturationPercent = 0.0;
    QString storageType;        ///< "NVMe", "SSD", "HDD", "Auto", "Custom(n)"

    // Memory
    qint64 memoryUsedBytes = 0;
    qint64 memoryPeakBytes = 0;
    qint64 memoryCapacityBytes = 0;
    qint64 memorySoftLimitBytes = 0; ///< 0 = none
    qint64 memoryHardLimitBytes = 0; ///< 0 = none
    double memoryUtilizationPercent = 0.0; ///< used / capacity

    // Waits over the sliding window (default 10 s)
    Percentiles cpuWait;
    Percentiles ioWait;
    Percentiles queueWait;
    Percentiles fileLatency;
    // Waits over the whole run
    Percentiles cpuWaitRun;
    Percentiles ioWaitRun;
    Percentiles queueWaitRun;

    // Cumulative total wait per resource, in ms
    double cpuWaitTotalMs = 0.0;
    double ioWaitTotalMs = 0.0;

    // Queue between reader and workers
    int queueDepth = 0;
    int queueDepthMax = 0;      ///< since the start of the run

    // Work
    int activeWorkers = 0;
    int filesInFlight = 0;
    quint64 tasksSpawned = 0;
    quint64 tasksCompleted = 0;
    quint64 tasksFailed = 0;
    quint64 bytesIn = 0;        ///< cumulative bytes read
    quint64 bytesOut = 0;       ///< cumulative bytes written
    double throughputInMBps = 0.0;  ///< bytes read during the interval / interval (MB = 10^6 B)
    double throughputOutMBps = 0.0;

    QString note;               ///< free text (e.g. "cpu tokens 4 -> 2"); may contain commas and quotes
};

} // namespace flowgate
