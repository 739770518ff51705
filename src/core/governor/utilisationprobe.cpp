// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/utilisationprobe.h"

#include "governor/tokenpool.h"

#include <algorithm>
#include <chrono>

namespace flowgate {

UtilisationProbe &UtilisationProbe::instance()
{
    // Deliberately never destroyed: pools may be destroyed during static
    // destruction and must still be able to unregister.
    static UtilisationProbe *probe = new UtilisationProbe;
    return *probe;
}

void UtilisationProbe::add(TokenPool *pool)
{
    std::lock_guard lock(m_mutex);
    m_pools.push_back(pool);
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
    m_wake.notify_one();
}

void UtilisationProbe::remove(TokenPool *pool)
{
    std::lock_guard lock(m_mutex);
    m_pools.erase(std::remove(m_pools.begin(), m_pools.end(), pool), m_pools.end());
}

void UtilisationProbe::run()
{
    using namespace std::chrono;
    std::unique_lock lock(m_mutex);
    auto last = steady_clock::now();
    for (;;) {
        if (m_pools.empty()) {
            m_wake.wait(lock, [this] { return !m_pools.empty(); });
            last = steady_clock::now();
            continue;
        }
        bool busy = false;
        for (TokenPool *pool : m_pools)
            busy = busy || pool->inUse() > 0 || pool->waiters() > 0;
        const auto period = busy ? kBusyTick : kIdleTick;
        m_wake.wait_until(lock, last + period);
        const auto now = steady_clock::now();
        const double dt = duration<double>(now - last).count();
        last = now;
        for (TokenPool *pool : m_pools)
            pool->integrate(dt);
    }
}

} // namespace flowgate
