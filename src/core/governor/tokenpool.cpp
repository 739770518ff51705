// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/tokenpool.h"

#include "governor/utilisationprobe.h"

#include <algorithm>

namespace flowgate {

struct TokenPool::Waiter
{
    // NotQueued until linked into the queue under the mutex; a cancellation
    // that arrives before that only marks it, and the waiter never queues.
    enum class State { NotQueued, Waiting, Granted, Cancelled, TimedOut };
    Waiter *prev = nullptr;
    Waiter *next = nullptr;
    State state = State::NotQueued;
    std::condition_variable cv;
};

namespace {
int clampTotal(int total)
{
    return std::clamp(total, 1, TokenPool::kMaxTokens);
}

void addRelaxed(std::atomic<double> &target, double delta)
{
    // Single writer (the probe thread): load + store is enough.
    target.store(target.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}
} // namespace

TokenPool::TokenPool(int total, WaitHistogram *waitHistogram, QString name)
    : m_state(std::uint64_t(clampTotal(total)) << kTotalShift)
    , m_waitHistogram(waitHistogram)
    , m_name(std::move(name))
{
    UtilisationProbe::instance().add(this);
}

TokenPool::~TokenPool()
{
    UtilisationProbe::instance().remove(this);
    Q_ASSERT_X(inUse() == 0, "TokenPool::~TokenPool", "a permit outlives its pool");
    Q_ASSERT_X(m_head == nullptr, "TokenPool::~TokenPool", "a thread still waits on a destroyed pool");
}

int TokenPool::available() const
{
    const std::uint64_t s = m_state.load(std::memory_order_acquire);
    const auto used = inUseOf(s);
    const auto tot = totalOf(s);
    return used >= tot ? 0 : int(tot - used);
}

Permit TokenPool::acquireUntil(std::chrono::steady_clock::time_point deadline, const CancellationToken &cancel)
{
    if (cancel.isCancelled())
        return Permit(Permit::Status::Cancelled);
    if (tryFastAcquire()) {
        recordFastGrant();
        return Permit(this);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
        m_timedOutWaits.fetch_add(1, std::memory_order_relaxed);
        return Permit(Permit::Status::TimedOut);
    }
    return acquireSlow(deadline, cancel);
}

Permit TokenPool::acquireFor(std::chrono::nanoseconds timeout, const CancellationToken &cancel)
{
    return acquireUntil(std::chrono::steady_clock::now() + timeout, cancel);
}

Permit TokenPool::tryAcquire()
{
    if (tryFastAcquire()) {
        recordFastGrant();
        return Permit(this);
    }
    return Permit(Permit::Status::TimedOut);
}

Permit TokenPool::acquireSlow(std::optional<std::chrono::steady_clock::time_point> deadline,
                              const CancellationToken &cancel)
{
    const auto start = std::chrono::steady_clock::now();
    Waiter waiter;
    // Registered before the pool mutex is taken: the callback takes the pool
    // mutex while the token's mutex is held, never the other way round.
    CancellationCallback onCancel(cancel, [this, &waiter] { cancelWaiter(&waiter); });
    if (onCancel.wasCancelledAtRegistration())
        return Permit(Permit::Status::Cancelled);

    std::unique_lock lock(m_mutex);
    if (waiter.state == Waiter::State::Cancelled) {
        lock.unlock();
        m_cancelledWaits.fetch_add(1, std::memory_order_relaxed);
        return Permit(Permit::Status::Cancelled);
    }
    // Queue up. Counting ourselves as a waiter stops the fast path from
    // barging; dispatching afterwards catches a token freed in between.
    m_state.fetch_add(kOneWaiter, std::memory_order_acq_rel);
    waiter.state = Waiter::State::Waiting;
    waiter.prev = m_tail;
    if (m_tail)
        m_tail->next = &waiter;
    else
        m_head = &waiter;
    m_tail = &waiter;
    dispatchLocked();

    while (waiter.state == Waiter::State::Waiting) {
        if (deadline) {
            if (waiter.cv.wait_until(lock, *deadline) == std::cv_status::timeout
                && waiter.state == Waiter::State::Waiting) {
                unlinkLocked(&waiter);
                m_state.fetch_sub(kOneWaiter, std::memory_order_acq_rel);
                waiter.state = Waiter::State::TimedOut;
            }
        } else {
            waiter.cv.wait(lock);
        }
    }
    const auto state = waiter.state;
    lock.unlock();

    switch (state) {
    case Waiter::State::Granted: {
        const auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
        const auto ns = quint64(std::max<std::int64_t>(waited, 0));
        m_totalWaitNs.fetch_add(ns, std::memory_order_relaxed);
        if (m_waitHistogram)
            m_waitHistogram->record(ns);
        return Permit(this);
    }
    case Waiter::State::Cancelled:
        m_cancelledWaits.fetch_add(1, std::memory_order_relaxed);
        return Permit(Permit::Status::Cancelled);
    case Waiter::State::TimedOut:
        m_timedOutWaits.fetch_add(1, std::memory_order_relaxed);
        return Permit(Permit::Status::TimedOut);
    case Waiter::State::NotQueued:
    case Waiter::State::Waiting:
        break;
    }
    Q_UNREACHABLE();
    return Permit();
}

void TokenPool::unlinkLocked(Waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        m_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        m_tail = w->prev;
    w->prev = w->next = nullptr;
}

void TokenPool::dispatchLocked()
{
    while (m_head) {
        std::uint64_t s = m_state.load(std::memory_order_acquire);
        if (inUseOf(s) >= totalOf(s))
            return;
        // Take a token and drop a waiter in one step.
        if (!m_state.compare_exchange_weak(s, s + 1 - kOneWaiter, std::memory_order_acq_rel, std::memory_order_acquire))
            continue;
        Waiter *w = m_head;
        unlinkLocked(w);
        w->state = Waiter::State::Granted;
        w->cv.notify_one();
    }
}

void TokenPool::releaseSlow() noexcept
{
    std::lock_guard lock(m_mutex);
    dispatchLocked();
}

void TokenPool::cancelWaiter(Waiter *w)
{
    std::lock_guard lock(m_mutex);
    if (w->state == Waiter::State::NotQueued) {
        w->state = Waiter::State::Cancelled;
        return;
    }
    if (w->state != Waiter::State::Waiting)
        return;
    unlinkLocked(w);
    m_state.fetch_sub(kOneWaiter, std::memory_order_acq_rel);
    w->state = Waiter::State::Cancelled;
    w->cv.notify_one();
}

void TokenPool::setTotal(int total)
{
    const std::uint64_t newTotal = std::uint64_t(clampTotal(total));
    std::uint64_t s = m_state.load(std::memory_order_relaxed);
    while (!m_state.compare_exchange_weak(s, (s & ~(kFieldMask << kTotalShift)) | (newTotal << kTotalShift),
                                          std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
    if (waitersOf(m_state.load(std::memory_order_acquire)) != 0) {
        std::lock_guard lock(m_mutex);
        dispatchLocked();
    }
}

PoolIntegral TokenPool::integral() const
{
    auto lock = UtilisationProbe::instance().lock();
    PoolIntegral r;
    r.heldTokenSeconds = m_heldTokenSeconds.load(std::memory_order_relaxed);
    r.capacityTokenSeconds = m_capacityTokenSeconds.load(std::memory_order_relaxed);
    r.seconds = m_integratedSeconds.load(std::memory_order_relaxed);
    return r;
}

void TokenPool::integrate(double dtSeconds)
{
    const std::uint64_t s = m_state.load(std::memory_order_relaxed);
    addRelaxed(m_heldTokenSeconds, double(inUseOf(s)) * dtSeconds);
    addRelaxed(m_capacityTokenSeconds, double(totalOf(s)) * dtSeconds);
    addRelaxed(m_integratedSeconds, dtSeconds);
}

} // namespace flowgate
