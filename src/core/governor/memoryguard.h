// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QtGlobal>

namespace flowgate {

class Governor;

/// RAII record of memory in use: counts bytes into a governor's memory gauge
/// on construction and out again on destruction. Move-only.
///
/// A guard made with the constructor only tracks (it never waits, whatever
/// the limits). Guards from Governor::admitMemory() were admitted under the
/// hard limit; their destruction may let a waiting request in.
class [[nodiscard]] MemoryGuard
{
public:
    MemoryGuard() = default;
    /// Tracks bytes in the process-wide governor (initResourceManager()).
    explicit MemoryGuard(qint64 bytes);
    /// Tracks bytes in the given governor.
    MemoryGuard(Governor &governor, qint64 bytes);
    MemoryGuard(MemoryGuard &&other) noexcept;
    MemoryGuard &operator=(MemoryGuard &&other) noexcept;
    ~MemoryGuard();
    MemoryGuard(const MemoryGuard &) = delete;
    MemoryGuard &operator=(const MemoryGuard &) = delete;

    bool isValid() const { return m_governor != nullptr; }
    explicit operator bool() const { return isValid(); }
    qint64 bytes() const { return m_bytes; }

private:
    friend class Governor;
    MemoryGuard(Governor *governor, qint64 bytes, bool admitted)
        : m_governor(governor), m_bytes(bytes), m_admitted(admitted) {}
    void reset() noexcept;

    Governor *m_governor = nullptr;
    qint64 m_bytes = 0;
    bool m_admitted = false;
};

} // namespace flowgate
