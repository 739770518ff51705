// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/concurrencymetrics.h"

#include "governor/governor.h"

namespace flowgate {

ConcurrencyMetrics::ConcurrencyMetrics(const Governor &governor)
    : m_governor(governor)
{
}

void ConcurrencyMetrics::chunkQueued() noexcept
{
    const int depth = m_queueDepth.fetch_add(1, std::memory_order_relaxed) + 1;
    int max = m_queueDepthMax.load(std::memory_order_relaxed);
    while (depth > max && !m_queueDepthMax.compare_exchange_weak(max, depth, std::memory_order_relaxed)) {
    }
}

void ConcurrencyMetrics::chunkDequeued(quint64 waitNs) noexcept
{
    m_queueDepth.fetch_sub(1, std::memory_order_relaxed);
    m_queueWait.record(waitNs);
}

int ConcurrencyMetrics::cpuTokensAvailable() const { return m_governor.cpuTokensAvailable(); }
int ConcurrencyMetrics::cpuTokensTotal() const { return m_governor.cpuTokensTotal(); }
int ConcurrencyMetrics::ioTokensAvailable() const { return m_governor.ioTokensAvailable(); }
int ConcurrencyMetrics::ioTokensTotal() const { return m_governor.ioTokensTotal(); }

namespace {
double saturationOf(const PoolIntegral &i)
{
    return i.capacityTokenSeconds > 0.0 ? 100.0 * i.heldTokenSeconds / i.capacityTokenSeconds : 0.0;
}
} // namespace

double ConcurrencyMetrics::cpuSaturationPercent() const
{
    if (auto s = latest())
        return s->cpuSaturationPercent;
    return saturationOf(m_governor.cpuPool().integral());
}

double ConcurrencyMetrics::ioSaturationPercent() const
{
    if (auto s = latest())
        return s->ioSaturationPercent;
    return saturationOf(m_governor.ioPool().integral());
}

qint64 ConcurrencyMetrics::memoryUsed() const { return m_governor.memoryUsed(); }

double ConcurrencyMetrics::memoryUsedMb() const { return double(memoryUsed()) / double(1 << 20); }

double ConcurrencyMetrics::memoryUtilizationPercent() const
{
    const qint64 cap = m_governor.memoryCapacity();
    return cap > 0 ? 100.0 * double(memoryUsed()) / double(cap) : 0.0;
}

double ConcurrencyMetrics::waitPercentile(Which which, double q) const
{
    if (auto s = latest()) {
        const Percentiles &p = which == Which::Cpu ? s->cpuWait : which == Which::Io ? s->ioWait : s->queueWait;
        return q <= 0.5 ? p.p50Ms : q <= 0.95 ? p.p95Ms : p.p99Ms;
    }
    const WaitHistogram &h = which == Which::Cpu ? m_cpuWait : which == Which::Io ? m_ioWait : m_queueWait;
    return h.snapshot().quantileMs(q);
}

QString ConcurrencyMetrics::summaryLine(const MetricsSnapshot &s)
{
    return QStringLiteral("Resources: CPU=%1%, I/O=%2%, Mem=%3%")
        .arg(s.cpuSaturationPercent, 0, 'f', 1)
        .arg(s.ioSaturationPercent, 0, 'f', 1)
        .arg(s.memoryUtilizationPercent, 0, 'f', 1);
}

QString ConcurrencyMetrics::summaryLine() const
{
    return QStringLiteral("Resources: CPU=%1%, I/O=%2%, Mem=%3%")
        .arg(cpuSaturationPercent(), 0, 'f', 1)
        .arg(ioSaturationPercent(), 0, 'f', 1)
        .arg(memoryUtilizationPercent(), 0, 'f', 1);
}

void ConcurrencyMetrics::publish(const MetricsSnapshot &snapshot)
{
    std::lock_guard lock(m_latestMutex);
    m_latest = snapshot;
}

std::optional<MetricsSnapshot> ConcurrencyMetrics::latest() const
{
    std::lock_guard lock(m_latestMutex);
    return m_latest;
}

} // namespace flowgate
