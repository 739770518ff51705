// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The permit primitive behind CPU, I/O, per-file and files-in-flight tokens:
// FIFO hand-off, cancellation, deadlines, live resizing, and a stress run that
// checks the limits with a counter of its own.

#include "governor/cancellation.h"
#include "governor/tokenpool.h"

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

using namespace flowgate;
using namespace std::chrono_literals;

class TestTokenPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uncontendedAcquireRelease();
    void permitIsMoveOnlyAndReleasesOnce();
    void fifoUnderContention();
    void noBargingWhileSomeoneWaits();
    void cancellationWakesWaitersAtOnce();
    void alreadyCancelledTokenReturnsImmediately();
    void deadlineBoundsTheWait();
    void growWakesWaitersAtOnce();
    void shrinkIsLazy();
    void totalIsClamped();
    void stressWithResizesAndCancellations();
};

void TestTokenPool::uncontendedAcquireRelease()
{
    WaitHistogram hist;
    TokenPool pool(3, &hist);
    QCOMPARE(pool.total(), 3);
    QCOMPARE(pool.available(), 3);
    {
        Permit a = pool.acquire();
        Permit b = pool.acquire();
        QVERIFY(a && b);
        QCOMPARE(a.status(), Permit::Status::Acquired);
        QCOMPARE(pool.inUse(), 2);
        QCOMPARE(pool.available(), 1);
        Permit c = pool.tryAcquire();
        QVERIFY(c);
        Permit d = pool.tryAcquire();
        QVERIFY(!d);
        QCOMPARE(d.status(), Permit::Status::TimedOut);
        QCOMPARE(pool.available(), 0);
    }
    QCOMPARE(pool.inUse(), 0);
    QCOMPARE(pool.available(), 3);
    // Three uncontended grants were recorded as zero waits.
    const HistogramCounts counts = hist.snapshot();
    QCOMPARE(counts.totalCount(), quint64(3));
    QCOMPARE(counts.bucketCount(0), quint64(3));
}

void TestTokenPool::permitIsMoveOnlyAndReleasesOnce()
{
    static_assert(!std::is_copy_constructible_v<Permit>);
    static_assert(!std::is_copy_assignable_v<Permit>);
    static_assert(std::is_nothrow_move_constructible_v<Permit>);
    TokenPool pool(2);
    Permit a = pool.acquire();
    Permit b = std::move(a);
    QVERIFY(!a); // NOLINT(bugprone-use-after-move): checking the moved-from state
    QCOMPARE(a.status(), Permit::Status::Empty);
    QVERIFY(b);
    QCOMPARE(pool.inUse(), 1);
    Permit c = pool.acquire();
    QCOMPARE(pool.inUse(), 2);
    c = std::move(b); // c's own token goes back, b's moves in
    QCOMPARE(pool.inUse(), 1);
    c = Permit();
    QCOMPARE(pool.inUse(), 0);
}

namespace {
// Waits (bounded) until the pool reports n waiters.
bool waitForWaiters(const TokenPool &pool, int n)
{
    QElapsedTimer t;
    t.start();
    while (pool.waiters() != n) {
        if (t.elapsed() > 10000)
            return false;
        std::this_thread::yield();
    }
    return true;
}
} // namespace

void TestTokenPool::fifoUnderContention()
{
    TokenPool pool(1);
    Permit held = pool.acquire();
    constexpr int kThreads = 24;
    std::mutex orderMutex;
    std::vector<int> order;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            Permit p = pool.acquire();
            std::lock_guard lock(orderMutex);
            order.push_back(i);
        });
        // Each thread is queued before the next one starts: request order is known.
        QVERIFY(waitForWaiters(pool, i + 1));
    }
    held = Permit();
    for (auto &t : threads)
        t.join();
    QCOMPARE(int(order.size()), kThreads);
    for (int i = 0; i < kThreads; ++i)
        QCOMPARE(order[std::size_t(i)], i);
    QCOMPARE(pool.inUse(), 0);
    QCOMPARE(pool.waiters(), 0);
}

void TestTokenPool::noBargingWhileSomeoneWaits()
{
    TokenPool pool(1);
    Permit held = pool.acquire();
    std::atomic<bool> got{false};
    std::thread waiter([&] {
        Permit p = pool.acquire();
        got = true;
        // Keep it until the main thread has checked.
        while (got.load())
            std::this_thread::yield();
    });
    QVERIFY(waitForWaiters(pool, 1));
    pool.setTotal(1); // no-op resize must not let anyone barge
    QVERIFY(!pool.tryAcquire());
    held = Permit();
    // The freed token went straight to the queued waiter, not to a newcomer.
    QTRY_VERIFY(got.load());
    QVERIFY(!pool.tryAcquire());
    QCOMPARE(pool.inUse(), 1);
    got = false;
    waiter.join();
    QCOMPARE(pool.inUse(), 0);
}

void TestTokenPool::cancellationWakesWaitersAtOnce()
{
    TokenPool pool(1);
    Permit held = pool.acquire();
    CancellationSource job;
    constexpr int kWaiters = 8;
    std::atomic<int> cancelled{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kWaiters; ++i) {
        threads.emplace_back([&] {
            Permit p = pool.acquire(job.token());
            if (!p && p.status() == Permit::Status::Cancelled)
                ++cancelled;
        });
    }
    QVERIFY(waitForWaiters(pool, kWaiters));
    QElapsedTimer t;
    t.start();
    job.cancel();
    for (auto &th : threads)
        th.join();
    // "At once": all eight are back well within a scheduling quantum or two.
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(cancelled.load(), kWaiters);
    QCOMPARE(pool.waiters(), 0);
    QCOMPARE(pool.inUse(), 1);
    QCOMPARE(pool.cancelledWaits(), quint64(kWaiters));
    held = Permit();
    QCOMPARE(pool.available(), 1);
}

void TestTokenPool::alreadyCancelledTokenReturnsImmediately()
{
    TokenPool pool(1);
    CancellationSource job;
    job.cancel();
    Permit p = pool.acquire(job.token());
    QVERIFY(!p);
    QCOMPARE(p.status(), Permit::Status::Cancelled);
    QCOMPARE(pool.inUse(), 0);
    Permit q = pool.acquireFor(1h, job.token());
    QCOMPARE(q.status(), Permit::Status::Cancelled);
}

void TestTokenPool::deadlineBoundsTheWait()
{
    TokenPool pool(1);
    Permit held = pool.acquire();
    QElapsedTimer t;
    t.start();
    Permit p = pool.acquireFor(60ms);
    const qint64 waited = t.elapsed();
    QVERIFY(!p);
    QCOMPARE(p.status(), Permit::Status::TimedOut);
    QVERIFY2(waited >= 59 && waited < 1000, qPrintable(QString::number(waited)));
    QCOMPARE(pool.waiters(), 0);
    QCOMPARE(pool.inUse(), 1);
    // A deadline in the past fails without queueing.
    Permit q = pool.acquireUntil(std::chrono::steady_clock::now() - 1s);
    QCOMPARE(q.status(), Permit::Status::TimedOut);
    QCOMPARE(pool.timedOutWaits(), quint64(2));
    // A deadline that a release beats succeeds.
    std::thread releaser([&] {
        std::this_thread::sleep_for(20ms);
        held = Permit();
    });
    Permit r = pool.acquireFor(10s);
    releaser.join();
    QVERIFY(r);
}

void TestTokenPool::growWakesWaitersAtOnce()
{
    TokenPool pool(1);
    Permit held = pool.acquire();
    std::atomic<int> granted{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&] {
            Permit p = pool.acquire();
            ++granted;
            while (!done.load())
                std::this_thread::yield();
        });
    }
    QVERIFY(waitForWaiters(pool, 3));
    pool.setTotal(4);
    QTRY_COMPARE_WITH_TIMEOUT(granted.load(), 3, 1000);
    QCOMPARE(pool.inUse(), 4);
    QCOMPARE(pool.waiters(), 0);
    done = true;
    for (auto &t : threads)
        t.join();
}

void TestTokenPool::shrinkIsLazy()
{
    TokenPool pool(4);
    std::vector<Permit> held;
    for (int i = 0; i < 4; ++i)
        held.push_back(pool.acquire());
    pool.setTotal(2);
    QCOMPARE(pool.total(), 2);
    QCOMPARE(pool.inUse(), 4); // nothing revoked
    QCOMPARE(pool.available(), 0);

    std::atomic<bool> got{false};
    std::thread waiter([&] {
        Permit p = pool.acquire();
        got = true;
    });
    QVERIFY(waitForWaiters(pool, 1));
    held.pop_back(); // 3 in use, total 2: no hand-out
    held.pop_back(); // 2 in use: still none (needs in-use < total)
    QVERIFY(!got.load());
    QCOMPARE(pool.waiters(), 1);
    held.pop_back(); // 1 in use: the waiter gets one
    waiter.join();
    QVERIFY(got.load());
    held.clear();
    QCOMPARE(pool.inUse(), 0);
    QCOMPARE(pool.available(), 2);
}

void TestTokenPool::totalIsClamped()
{
    TokenPool pool(0);
    QCOMPARE(pool.total(), 1);
    pool.setTotal(-5);
    QCOMPARE(pool.total(), 1);
    pool.setTotal(TokenPool::kMaxTokens + 10);
    QCOMPARE(pool.total(), TokenPool::kMaxTokens);
}

void TestTokenPool::stressWithResizesAndCancellations()
{
    constexpr int kThreads = 32;
    constexpr int kPerThread = 3200; // 102,400 acquisitions in all
    TokenPool pool(6);

    std::atomic<int> holders{0};     // our own count of permits held
    // The limit in force, incl. the lazy-shrink overlap, with a generation in
    // the high half so a worker can tell whether it changed during its check.
    std::atomic<quint64> bound{6};
    const auto setAllowed = [&bound](int value) {
        const quint64 gen = (bound.load() >> 32) + 1;
        bound.store((gen << 32) | quint64(value));
    };
    std::atomic<qint64> checks{0};
    std::atomic<int> resizes{0};
    std::atomic<qint64> iterations{0};
    std::atomic<int> violations{0};
    std::atomic<int> maxHolders{0};
    std::atomic<bool> stop{false};
    std::atomic<qint64> granted{0}, cancelledCount{0}, timedOut{0};
    std::atomic<qint64> maxGrantedWaitUs{0};

    // One cancellable slot per worker, poked by the canceller thread.
    struct Slot
    {
        std::mutex mutex;
        std::shared_ptr<CancellationSource> source;
    };
    std::vector<Slot> slots(kThreads);

    std::vector<std::thread> workers;
    std::vector<int> grantsPerThread(kThreads, 0);
    for (int w = 0; w < kThreads; ++w) {
        workers.emplace_back([&, w] {
            std::mt19937 rng(unsigned(w) * 7919u + 1u);
            // At least kPerThread each, and on until the resizer has had its turns.
            for (int i = 0; i < kPerThread || (resizes.load() < 200 && i < 50 * kPerThread); ++i) {
                ++iterations;
                const int kind = int(rng() % 10);
                Permit p;
                const auto t0 = std::chrono::steady_clock::now();
                if (kind < 6) {
                    p = pool.acquire();
                } else if (kind < 8) {
                    p = pool.acquireFor(std::chrono::microseconds(rng() % 2000));
                } else {
                    auto src = std::make_shared<CancellationSource>();
                    if (i % 97 == 0)
                        src->cancel(); // some arrive already cancelled
                    {
                        std::lock_guard lock(slots[std::size_t(w)].mutex);
                        slots[std::size_t(w)].source = src;
                    }
                    p = pool.acquire(src->token());
                    std::lock_guard lock(slots[std::size_t(w)].mutex);
                    slots[std::size_t(w)].source.reset();
                }
                if (!p) {
                    (p.status() == Permit::Status::Cancelled ? cancelledCount : timedOut)++;
                    continue;
                }
                const auto waitedUs = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
                qint64 prevMax = maxGrantedWaitUs.load();
                while (waitedUs > prevMax && !maxGrantedWaitUs.compare_exchange_weak(prevMax, waitedUs)) {
                }
                const quint64 before = bound.load();
                const int h = holders.fetch_add(1) + 1;
                if (bound.load() == before) { // limit stable around the count
                    ++checks;
                    if (h > int(before & 0xffffffffu))
                        ++violations;
                }
                int m = maxHolders.load();
                while (h > m && !maxHolders.compare_exchange_weak(m, h)) {
                }
                ++grantsPerThread[std::size_t(w)];
                ++granted;
                // A little work while holding the token.
                volatile unsigned sink = 0;
                for (unsigned spin = rng() % 3000; spin > 0; spin = spin - 1)
                    sink = sink + spin;
                holders.fetch_sub(1);
                p = Permit();
            }
        });
    }

    std::thread canceller([&] {
        std::mt19937 rng(42);
        while (!stop.load()) {
            auto &slot = slots[rng() % kThreads];
            std::shared_ptr<CancellationSource> src;
            {
                std::lock_guard lock(slot.mutex);
                src = slot.source;
            }
            if (src)
                src->cancel();
            std::this_thread::yield();
        }
    });

    std::thread resizer([&] {
        std::mt19937 rng(7);
        while (!stop.load()) {
            const int current = pool.total();
            const int next = 1 + int(rng() % 12);
            if (next >= current) {
                setAllowed(next); // raise the bound first, then grow
                pool.setTotal(next);
            } else {
                pool.setTotal(next); // bound stays at the old total (lazy shrink)
                // Once in-use is at or below the new total, nothing above it
                // can be handed out again: lower the bound.
                while (pool.inUse() > next && !stop.load())
                    std::this_thread::yield();
                setAllowed(next);
            }
            ++resizes;
            std::this_thread::yield();
        }
    });

    for (auto &t : workers)
        t.join();
    stop = true;
    canceller.join();
    resizer.join();

    QCOMPARE(violations.load(), 0);
    QVERIFY(checks.load() > qint64(kThreads) * kPerThread / 4);
    QCOMPARE(holders.load(), 0);
    // No permit lost: everything is back.
    QCOMPARE(pool.inUse(), 0);
    QCOMPARE(pool.waiters(), 0);
    QCOMPARE(pool.available(), pool.total());
    QCOMPARE(granted.load() + cancelledCount.load() + timedOut.load(), iterations.load());
    QVERIFY(iterations.load() >= qint64(kThreads) * kPerThread);
    QVERIFY2(resizes.load() >= 200, qPrintable(QString::number(resizes.load())));
    QVERIFY(cancelledCount.load() > 0);
    QVERIFY(granted.load() > qint64(kThreads) * kPerThread / 2);
    // No waiter starved: every thread got tokens, and no granted wait was
    // anywhere near the test's timeout.
    for (int g : grantsPerThread)
        QVERIFY(g > kPerThread / 2);
    QVERIFY2(maxGrantedWaitUs.load() < 20'000'000, qPrintable(QString::number(maxGrantedWaitUs.load())));
    qInfo("stress: %lld granted, %lld cancelled, %lld timed out, %d resizes, %lld checks, max holders %d, max wait %lld us",
          static_cast<long long>(granted.load()), static_cast<long long>(cancelledCount.load()),
          static_cast<long long>(timedOut.load()), resizes.load(), static_cast<long long>(checks.load()), maxHolders.load(),
          static_cast<long long>(maxGrantedWaitUs.load()));
}

QTEST_GUILESS_MAIN(TestTokenPool)
#include "tst_tokenpool.moc"
