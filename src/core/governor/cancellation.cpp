// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/cancellation.h"

#include <atomic>
#include <mutex>
#include <vector>

namespace flowgate {

namespace detail {
struct CancelState
{
    std::atomic<bool> cancelled{false};
    std::mutex mutex; // guards callbacks and nextId; held while callbacks run
    std::vector<std::pair<quint64, std::function<void()>>> callbacks;
    quint64 nextId = 1;
};
} // namespace detail

CancellationSource::CancellationSource()
    : m_state(std::make_shared<detail::CancelState>())
{
}

void CancellationSource::cancel()
{
    if (m_state->cancelled.exchange(true, std::memory_order_acq_rel))
        return;
    std::lock_guard lock(m_state->mutex);
    for (auto &entry : m_state->callbacks)
        entry.second();
    m_state->callbacks.clear();
}

bool CancellationSource::isCancelled() const
{
    return m_state->cancelled.load(std::memory_order_acquire);
}

CancellationToken CancellationSource::token() const
{
    return CancellationToken(m_state);
}

bool CancellationToken::isCancelled() const
{
    return m_state && m_state->cancelled.load(std::memory_order_acquire);
}

CancellationCallback::CancellationCallback(const CancellationToken &token, std::function<void()> callback)
    : m_state(token.m_state)
{
    if (!m_state)
        return;
    std::lock_guard lock(m_state->mutex);
    if (m_state->cancelled.load(std::memory_order_acquire)) {
        m_cancelledAtRegistration = true;
        m_state.reset();
        return;
    }
    m_id = m_state->nextId++;
    m_state->callbacks.emplace_back(m_id, std::move(callback));
}

CancellationCallback::~CancellationCallback()
{
    if (!m_state)
        return;
    // Taking the mutex waits for a cancel() that is running callbacks.
    std::lock_guard lock(m_state->mutex);
    auto &cbs = m_state->callbacks;
    for (auto it = cbs.begin(); it != cbs.end(); ++it) {
        if (it->first == m_id) {
            cbs.erase(it);
            break;
        }
    }
}

} // namespace flowgate
