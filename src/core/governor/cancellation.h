// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QtGlobal>

#include <functional>
#include <memory>

namespace flowgate {

namespace detail {
struct CancelState;
}

class CancellationToken;

/// The owner's side of a cancellation: a job keeps one source and hands its
/// token to everything that may wait on its behalf.
///
/// Contract: cancel() is thread-safe and idempotent. It sets the flag (every
/// later isCancelled() sees it) and then runs every registered callback once,
/// on the cancelling thread, before it returns. Copies share one state.
class CancellationSource
{
public:
    CancellationSource();

    void cancel();
    bool isCancelled() const;
    CancellationToken token() const;

private:
    std::shared_ptr<detail::CancelState> m_state;
};

/// A cheap, copyable view of a source. A default-constructed token can never
/// be cancelled (acquisitions with it skip all registration work).
class CancellationToken
{
public:
    CancellationToken() = default;

    bool isCancelled() const;
    bool canBeCancelled() const { return m_state != nullptr; }

private:
    friend class CancellationSource;
    friend class CancellationCallback;
    explicit CancellationToken(std::shared_ptr<detail::CancelState> state) : m_state(std::move(state)) {}
    std::shared_ptr<detail::CancelState> m_state;
};

/// RAII registration of a callback that runs when the token is cancelled.
///
/// Contract: if the token is already cancelled at construction, the callback
/// is not registered and wasCancelledAtRegistration() is true (the caller
/// reacts itself). The destructor unregisters; if cancel() is running the
/// callback at that moment, the destructor waits for it to finish, so the
/// callback never outlives the objects it captured. The callback must not
/// destroy its own registration, and must not wait on anything that waits for
/// the registering thread.
class CancellationCallback
{
public:
    CancellationCallback(const CancellationToken &token, std::function<void()> callback);
    ~CancellationCallback();
    Q_DISABLE_COPY_MOVE(CancellationCallback)

    bool wasCancelledAtRegistration() const { return m_cancelledAtRegistration; }

private:
    std::shared_ptr<detail::CancelState> m_state;
    quint64 m_id = 0;
    bool m_cancelledAtRegistration = false;
};

} // namespace flowgate
