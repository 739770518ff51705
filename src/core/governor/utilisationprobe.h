// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QtGlobal>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace flowgate {

class TokenPool;

/// Integrates every live TokenPool's occupancy over time, so saturation can be
/// reported as a time-weighted average over any interval instead of a reading
/// at one instant.
///
/// One process-wide thread wakes every kBusyTick while any pool has a token
/// in use (every kIdleTick while all are idle) and adds, for each pool,
/// inUse × dt and total × dt, where dt is the measured time since its previous
/// tick (so a late tick is weighted correctly). The permit fast path pays
/// nothing for this. Resolution: occupancy changes shorter than a tick are
/// seen in proportion to how often they happen, not one by one.
///
/// Thread-safety: add()/remove() from any thread; remove() returns only after
/// any tick that uses the pool has finished. lock() lets a reader take a
/// consistent view of several pools' integrals.
class UtilisationProbe final
{
public:
    /// 5 ms: 50 ticks in the sampler's default 250 ms interval. A 1 ms tick
    /// cost 3 % of a core during a pack (each wake-up also interrupts a
    /// worker) for no better average.
    static constexpr std::chrono::milliseconds kBusyTick{5};
    static constexpr std::chrono::milliseconds kIdleTick{20};

    static UtilisationProbe &instance();

    void add(TokenPool *pool);
    void remove(TokenPool *pool);
    std::unique_lock<std::mutex> lock() { return std::unique_lock(m_mutex); }

private:
    UtilisationProbe() = default;
    ~UtilisationProbe() = delete; // lives for the whole process
    Q_DISABLE_COPY_MOVE(UtilisationProbe)
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<TokenPool *> m_pools;
    std::thread m_thread;
};

} // namespace flowgate
