// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/governor.h"

#include <QLoggingCategory>

#include <algorithm>
#include <stdexcept>

Q_LOGGING_CATEGORY(lcGovernor, "flowgate.governor")

namespace flowgate {

Governor::Governor(const ResourceConfig &config, QObject *parent)
    : QObject(parent)
    , m_metrics(*this)
    , m_cpu(config.resolvedCpuTokens(), &m_metrics.cpuWaitHistogram(), QStringLiteral("cpu"))
    , m_io(config.resolvedIoTokens(), &m_metrics.ioWaitHistogram(), QStringLiteral("io"))
    , m_files(4, nullptr, QStringLiteral("files-in-flight"))
    , m_storageKind(int(config.storageType.kind()))
    , m_storageCustom(config.storageType.customTokens())
{
    m_memCapacity.store(config.resolvedMemoryCapacity(), std::memory_order_relaxed);
    m_memSoftLimit.store(std::max<qint64>(config.memorySoftLimit, 0), std::memory_order_relaxed);
    m_memHardLimit.store(std::max<qint64>(config.memoryHardLimit, 0), std::memory_order_relaxed);
}

Governor::~Governor() = default;

void Governor::setCpuTokens(int total)
{
    m_cpu.setTotal(total);
    Q_EMIT limitsChanged();
}

void Governor::setIoTokens(int total)
{
    m_io.setTotal(total);
    Q_EMIT limitsChanged();
}

void Governor::setStorageType(StorageType type)
{
    m_storageKind.store(int(type.kind()), std::memory_order_relaxed);
    m_storageCustom.store(type.customTokens(), std::memory_order_relaxed);
    m_io.setTotal(type.defaultIoTokens());
    Q_EMIT limitsChanged();
}

StorageType Governor::storageType() const
{
    return StorageType::of(StorageType::Kind(m_storageKind.load(std::memory_order_relaxed)),
        m_storageCustom.load(std::memory_order_relaxed));
}

ResourceConfig Governor::config() const
{
    ResourceConfig c;
    c.cpuTokens = m_cpu.total();
    c.ioTokens = m_io.total();
    c.storageType = storageType();
    c.memoryLimit = memoryCapacity();
    c.memorySoftLimit = memorySoftLimit();
    c.memoryHardLimit = memoryHardLimit();
    return c;
}

// --- memory -------------------------------------------------------------------

void Governor::allocateMemory(qint64 bytes) noexcept
{
    const qint64 before = m_memUsed.fetch_add(bytes, std::memory_order_relaxed);
    accountAllocation(before, before + bytes);
}

void Governor::accountAllocation(qint64 before, qint64 after) noexcept
{
    qint64 peak = m_memPeak.load(std::memory_order_relaxed);
    while (after > peak && !m_memPeak.compare_exchange_weak(peak, after, std::memory_order_relaxed)) { }
    const qint64 soft = m_memSoftLimit.load(std::memory_order_relaxed);
    if (soft > 0 && before <= soft && after > soft) [[unlikely]] {
        m_softWarnings.fetch_add(1, std::memory_order_relaxed);
        qCWarning(lcGovernor, "memory in use (%lld bytes) crossed the soft limit (%lld bytes)",
            static_cast<long long>(after), static_cast<long long>(soft));
        Q_EMIT memorySoftLimitExceeded(after, soft);
    }
}

void Governor::deallocateMemory(qint64 bytes) noexcept
{
    m_memUsed.fetch_sub(bytes, std::memory_order_relaxed);
    if (m_memWaiters.load(std::memory_order_relaxed) != 0) [[unlikely]]
        notifyMemoryWaiters();
}

void Governor::notifyMemoryWaiters() noexcept
{
    std::lock_guard lock(m_memMutex);
    m_memCv.notify_all();
}

void Governor::releaseAdmitted(qint64 bytes) noexcept
{
    {
        std::lock_guard lock(m_memMutex);
        --m_admittedGuards;
        m_memUsed.fetch_sub(bytes, std::memory_order_relaxed);
    }
    m_memCv.notify_all();
}

MemoryGuard Governor::admitMemory(qint64 bytes, const CancellationToken &cancel)
{
    bytes = std::max<qint64>(bytes, 0);
    if (cancel.isCancelled())
        return MemoryGuard();
    std::atomic<bool> cancelled{false};
    CancellationCallback onCancel(cancel, [this, &cancelled] {
        std::lock_guard lock(m_memMutex);
        cancelled.store(true, std::memory_order_relaxed);
        m_memCv.notify_all();
    });
    if (onCancel.wasCancelledAtRegistration())
        return MemoryGuard();

    std::unique_lock lock(m_memMutex);
    const quint64 ticket = m_nextTicket++;
    m_memWaiters.fetch_add(1, std::memory_order_relaxed);
    const auto admissible = [&] {
        if (cancelled.load(std::memory_order_relaxed))
            return true;
        if (ticket != m_servingTicket)
            return false; // first come, first served
        const qint64 hard = m_memHardLimit.load(std::memory_order_relaxed);
        if (hard <= 0 || m_admittedGuards == 0)
            return true; // no limit, or nothing admitted is held: always progress
        return m_memUsed.load(std::memory_order_relaxed) + bytes <= hard;
    };
    m_memCv.wait(lock, admissible);
    m_memWaiters.fetch_sub(1, std::memory_order_relaxed);
    if (cancelled.load(std::memory_order_relaxed)) {
        // Give up our place in line. If we were at the head, pass it on.
        if (ticket == m_servingTicket) {
            ++m_servingTicket;
        } else {
            // Not yet served: mark the ticket as skipped so the line moves past it.
            m_skippedTickets.push_back(ticket);
        }
        advancePastSkippedLocked();
        lock.unlock();
        m_memCv.notify_all();
        return MemoryGuard();
    }
    ++m_servingTicket;
    advancePastSkippedLocked();
    ++m_admittedGuards;
    // Counted before the lock is released: the next request in line must see it.
    const qint64 before = m_memUsed.fetch_add(bytes, std::memory_order_relaxed);
    lock.unlock();
    accountAllocation(before, before + bytes);
    m_memCv.notify_all();
    return MemoryGuard(this, bytes, true);
}

void Governor::advancePastSkippedLocked()
{
    bool moved = true;
    while (moved) {
        moved = false;
        auto it = std::find(m_skippedTickets.begin(), m_skippedTickets.end(), m_servingTicket);
        if (it != m_skippedTickets.end()) {
            m_skippedTickets.erase(it);
            ++m_servingTicket;
            moved = true;
        }
    }
}

void Governor::setMemoryCapacity(qint64 bytes)
{
    m_memCapacity.store(std::max<qint64>(bytes, 1), std::memory_order_relaxed);
    Q_EMIT limitsChanged();
}

void Governor::setMemorySoftLimit(qint64 bytes)
{
    m_memSoftLimit.store(std::max<qint64>(bytes, 0), std::memory_order_relaxed);
    Q_EMIT limitsChanged();
}

void Governor::setMemoryHardLimit(qint64 bytes)
{
    {
        std::lock_guard lock(m_memMutex);
        m_memHardLimit.store(std::max<qint64>(bytes, 0), std::memory_order_relaxed);
    }
    m_memCv.notify_all();
    Q_EMIT limitsChanged();
}

// --- local level ----------------------------------------------------------------

void Governor::setFilesInFlight(int limit)
{
    m_files.setTotal(limit);
    Q_EMIT limitsChanged();
}

std::shared_ptr<TokenPool> Governor::makeFileLimiter(const QString &fileName)
{
    auto limiter = std::make_shared<TokenPool>(perFileWorkers(), nullptr, fileName);
    std::lock_guard lock(m_limitersMutex);
    m_limiters.erase(std::remove_if(m_limiters.begin(), m_limiters.end(),
                         [](const std::weak_ptr<TokenPool> &w) { return w.expired(); }),
        m_limiters.end());
    m_limiters.push_back(limiter);
    return limiter;
}

void Governor::setPerFileWorkers(int workers)
{
    workers = std::clamp(workers, 1, TokenPool::kMaxTokens);
    m_perFileWorkers.store(workers, std::memory_order_relaxed);
    std::lock_guard lock(m_limitersMutex);
    for (const auto &weak : m_limiters) {
        if (auto limiter = weak.lock())
            limiter->setTotal(workers);
    }
    Q_EMIT limitsChanged();
}

void Governor::setBackgroundMode(bool on)
{
    m_background.store(on, std::memory_order_relaxed);
    Q_EMIT limitsChanged();
}

// --- MemoryGuard ------------------------------------------------------------------

MemoryGuard::MemoryGuard(qint64 bytes)
    : MemoryGuard(resourceManager(), bytes)
{ }

MemoryGuard::MemoryGuard(Governor &governor, qint64 bytes)
    : m_governor(&governor)
    , m_bytes(bytes)
{
    governor.allocateMemory(bytes);
}

MemoryGuard::MemoryGuard(MemoryGuard &&other) noexcept
    : m_governor(other.m_governor)
    , m_bytes(other.m_bytes)
    , m_admitted(other.m_admitted)
{
    other.m_governor = nullptr;
    other.m_bytes = 0;
    other.m_admitted = false;
}

MemoryGuard &MemoryGuard::operator=(MemoryGuard &&other) noexcept
{
    if (this != &other) {
        reset();
        m_governor = other.m_governor;
        m_bytes = other.m_bytes;
        m_admitted = other.m_admitted;
        other.m_governor = nullptr;
        other.m_bytes = 0;
        other.m_admitted = false;
    }
    return *this;
}

MemoryGuard::~MemoryGuard()
{
    reset();
}

void MemoryGuard::reset() noexcept
{
    if (!m_governor)
        return;
    if (m_admitted)
        m_governor->releaseAdmitted(m_bytes);
    else
        m_governor->deallocateMemory(m_bytes);
    m_governor = nullptr;
    m_bytes = 0;
    m_admitted = false;
}

// --- the process-wide governor ------------------------------------------------------

namespace {
std::mutex g_initMutex;
std::atomic<Governor *> g_governor{nullptr};
} // namespace

bool initResourceManager(const ResourceConfig &config, QString *error)
{
    std::lock_guard lock(g_initMutex);
    if (g_governor.load(std::memory_order_acquire)) {
        if (error)
            *error = QStringLiteral(
                "the resource manager is already initialised; initResourceManager() may be called once per process");
        return false;
    }
    // Never destroyed: permits and guards may be released during static destruction.
    g_governor.store(new Governor(config), std::memory_order_release);
    return true;
}

bool isResourceManagerInitialised()
{
    return g_governor.load(std::memory_order_acquire) != nullptr;
}

Governor &resourceManager()
{
    Governor *g = g_governor.load(std::memory_order_acquire);
    if (!g)
        throw std::logic_error("Flowgate: the resource manager was used before initResourceManager() was called");
    return *g;
}

} // namespace flowgate
