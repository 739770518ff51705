// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/cancellation.h"
#include "metrics/waithistogram.h"

#include <QString>
#include <QtGlobal>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace flowgate {

class TokenPool;

/// A held token. Move-only; the token goes back to its pool when the permit is
/// destroyed or assigned over. There is no manual release.
///
/// An invalid permit (operator bool false) holds nothing; status() says why:
/// the wait was cancelled or ran past its deadline, or it was default-made or
/// moved from (Empty).
class [[nodiscard]] Permit
{
public:
    enum class Status { Empty, Acquired, Cancelled, TimedOut };

    Permit() = default;
    Permit(Permit &&other) noexcept;
    Permit &operator=(Permit &&other) noexcept;
    ~Permit();
    Permit(const Permit &) = delete;
    Permit &operator=(const Permit &) = delete;

    bool isValid() const { return m_pool != nullptr; }
    explicit operator bool() const { return isValid(); }
    Status status() const { return m_status; }
    /// The pool the token belongs to (nullptr when invalid).
    const TokenPool *pool() const { return m_pool; }

private:
    friend class TokenPool;
    explicit Permit(TokenPool *pool) : m_pool(pool), m_status(Status::Acquired) {}
    explicit Permit(Status status) : m_status(status) {}
    void reset() noexcept;

    TokenPool *m_pool = nullptr;
    Status m_status = Status::Empty;
};

/// Time-weighted occupancy of a pool, integrated by the UtilisationProbe.
struct PoolIntegral
{
    double heldTokenSeconds = 0.0;     ///< integral of tokens in use over time
    double capacityTokenSeconds = 0.0; ///< integral of the total over time
    double seconds = 0.0;              ///< time covered
};

/// A counting semaphore with strict FIFO hand-off, cancellation, deadlines and
/// live resizing — the primitive behind CPU tokens, I/O tokens, per-file
/// limiters and the files-in-flight cap.
///
/// Guarantees
/// - Permits in use never exceed the total in force when each was handed out.
///   setTotal() growing wakes waiters at once; shrinking revokes nothing and
///   hands out no new permit until in-use falls below the new total
///   ("lazy shrink"), so in-use may exceed total only by permits granted
///   before the shrink.
/// - Strict first come, first served: once anyone waits, a newcomer queues
///   behind them even if a token frees up as it arrives (no barging), so no
///   waiter starves.
/// - A cancelled token wakes its waiters at once; a deadline bounds a wait.
///   Neither leaves a token behind.
///
/// Implementation and memory order: in-use count, total and waiter count share
/// one 64-bit atomic word. The uncontended path is one compare-exchange
/// (acquire) to take a token and one fetch_sub (release) to return it; the
/// mutex is taken only when someone waits. Hand-off to a waiter happens under
/// the mutex, in queue order.
///
/// Callers: acquire*/tryAcquire/setTotal from any thread. The pool must
/// outlive its permits (checked with Q_ASSERT in debug builds).
class TokenPool final
{
public:
    static constexpr int kMaxTokens = (1 << 20) - 1;

    /// waitHistogram, if given, receives every granted acquisition's wait in
    /// ns (0 for the uncontended path) and must outlive the pool.
    explicit TokenPool(int total, WaitHistogram *waitHistogram = nullptr, QString name = {});
    ~TokenPool();
    Q_DISABLE_COPY_MOVE(TokenPool)

    /// Waits until a token is free (or the token is cancelled).
    Permit acquire(const CancellationToken &cancel = {});
    /// As acquire(), but gives up at the deadline (Status::TimedOut).
    Permit acquireUntil(std::chrono::steady_clock::time_point deadline, const CancellationToken &cancel = {});
    Permit acquireFor(std::chrono::nanoseconds timeout, const CancellationToken &cancel = {});
    /// Never waits; fails (Status::TimedOut) when a token is not free at once
    /// or someone is already queued.
    Permit tryAcquire();

    /// Live resize, clamped to [1, kMaxTokens]. Grow: waiters are served at
    /// once. Shrink: lazy (see class comment).
    void setTotal(int total);

    int total() const { return int(totalOf(m_state.load(std::memory_order_acquire))); }
    int inUse() const { return int(inUseOf(m_state.load(std::memory_order_acquire))); }
    /// Tokens that could be handed out now: max(total - inUse, 0).
    int available() const;
    int waiters() const { return int(waitersOf(m_state.load(std::memory_order_acquire))); }
    const QString &name() const { return m_name; }

    /// Cumulative wait of granted slow-path acquisitions, ns.
    quint64 totalWaitNs() const { return m_totalWaitNs.load(std::memory_order_relaxed); }
    quint64 cancelledWaits() const { return m_cancelledWaits.load(std::memory_order_relaxed); }
    quint64 timedOutWaits() const { return m_timedOutWaits.load(std::memory_order_relaxed); }

    /// Time-weighted occupancy since the pool was made (see UtilisationProbe).
    PoolIntegral integral() const;
    /// Called by the UtilisationProbe only: adds dt seconds at the current occupancy.
    void integrate(double dtSeconds);

private:
    friend class Permit;
    struct Waiter;

    static constexpr int kTotalShift = 20;
    static constexpr int kWaiterShift = 40;
    static constexpr std::uint64_t kFieldMask = (std::uint64_t(1) << 20) - 1;
    static constexpr std::uint64_t kOneWaiter = std::uint64_t(1) << kWaiterShift;
    static constexpr std::uint64_t inUseOf(std::uint64_t s) { return s & kFieldMask; }
    static constexpr std::uint64_t totalOf(std::uint64_t s) { return (s >> kTotalShift) & kFieldMask; }
    static constexpr std::uint64_t waitersOf(std::uint64_t s) { return s >> kWaiterShift; }

    bool tryFastAcquire() noexcept;
    void recordFastGrant() noexcept;
    Permit acquireSlow(std::optional<std::chrono::steady_clock::time_point> deadline, const CancellationToken &cancel);
    void release() noexcept;
    void releaseSlow() noexcept;
    void dispatchLocked();
    void unlinkLocked(Waiter *w);
    void cancelWaiter(Waiter *w);

    std::atomic<std::uint64_t> m_state{0};
    WaitHistogram *m_waitHistogram = nullptr;
    QString m_name;

    std::mutex m_mutex; // guards the waiter queue; hand-off happens under it
    Waiter *m_head = nullptr;
    Waiter *m_tail = nullptr;

    std::atomic<quint64> m_totalWaitNs{0};
    std::atomic<quint64> m_cancelledWaits{0};
    std::atomic<quint64> m_timedOutWaits{0};

    // Written by the probe thread only; read by samplers.
    std::atomic<double> m_heldTokenSeconds{0.0};
    std::atomic<double> m_capacityTokenSeconds{0.0};
    std::atomic<double> m_integratedSeconds{0.0};
};

inline bool TokenPool::tryFastAcquire() noexcept
{
    std::uint64_t s = m_state.load(std::memory_order_relaxed);
    while (waitersOf(s) == 0 && inUseOf(s) < totalOf(s)) {
        if (m_state.compare_exchange_weak(s, s + 1, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    }
    return false;
}

inline void TokenPool::recordFastGrant() noexcept
{
    if (m_waitHistogram)
        m_waitHistogram->record(0);
}

inline Permit TokenPool::acquire(const CancellationToken &cancel)
{
    if (cancel.canBeCancelled() && cancel.isCancelled()) // no call for the default token
        return Permit(Permit::Status::Cancelled);
    if (tryFastAcquire()) {
        recordFastGrant();
        return Permit(this);
    }
    return acquireSlow(std::nullopt, cancel);
}

inline void TokenPool::release() noexcept
{
    const std::uint64_t old = m_state.fetch_sub(1, std::memory_order_release);
    Q_ASSERT_X(inUseOf(old) > 0, "TokenPool::release", "released more tokens than were handed out");
    if (waitersOf(old) != 0) [[unlikely]]
        releaseSlow();
}

inline Permit::Permit(Permit &&other) noexcept
    : m_pool(other.m_pool)
    , m_status(other.m_status)
{
    other.m_pool = nullptr;
    other.m_status = Status::Empty;
}

inline Permit &Permit::operator=(Permit &&other) noexcept
{
    if (this != &other) {
        reset();
        m_pool = other.m_pool;
        m_status = other.m_status;
        other.m_pool = nullptr;
        other.m_status = Status::Empty;
    }
    return *this;
}

inline Permit::~Permit()
{
    reset();
}

inline void Permit::reset() noexcept
{
    if (m_pool) {
        m_pool->release();
        m_pool = nullptr;
    }
}

} // namespace flowgate
