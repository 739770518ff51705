// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "pipeline/contextpool.h"

#include "governor/governor.h"

#include <algorithm>

namespace flowgate {

ContextPool::ContextPool(Governor &governor)
    : m_governor(governor)
{ }

ContextPool::~ContextPool() = default;

void ContextPool::trimLocked(Compressors &dropC, Decompressors &dropD)
{
    const int cap = std::max(1, m_governor.cpuTokensTotal());
    const auto room = std::size_t(std::max(0, cap - m_lent));
    while (m_idleCompressors.size() + m_idleDecompressors.size() > room) {
        if (!m_idleCompressors.empty()
            && (m_idleDecompressors.empty() || m_idleCompressors.size() >= m_idleDecompressors.size())) {
            dropC.push_back(std::move(m_idleCompressors.front()));
            m_idleCompressors.erase(m_idleCompressors.begin());
        } else {
            dropD.push_back(std::move(m_idleDecompressors.front()));
            m_idleDecompressors.erase(m_idleDecompressors.begin());
        }
    }
}

template<class T, class Matches, class Make>
ContextPool::Lease<T> ContextPool::lend(std::vector<std::unique_ptr<T>> &idle, Matches matches, Make make)
{
    {
        // Idle ones of other kinds make room first, and are gone (destroyed
        // at the end of this block, without the lock) before a new one is made.
        Compressors dropC;
        Decompressors dropD;
        std::lock_guard lock(m_mutex);
        const auto it = std::find_if(idle.begin(), idle.end(), [&](const auto &c) { return matches(*c); });
        if (it != idle.end()) {
            std::unique_ptr<T> context = std::move(*it);
            idle.erase(it);
            ++m_lent;
            MemoryGuard memory = m_governor.trackMemory(qint64(context->memoryBytes()));
            return Lease<T>(this, std::move(context), std::move(memory));
        }
        ++m_lent; // counted before it exists: the trim makes room for it
        trimLocked(dropC, dropD);
        m_peak = std::max(m_peak, m_lent + int(m_idleCompressors.size() + m_idleDecompressors.size()));
    }
    std::unique_ptr<T> made = make();
    if (!made) {
        std::lock_guard lock(m_mutex);
        --m_lent;
        return {};
    }
    MemoryGuard memory = m_governor.trackMemory(qint64(made->memoryBytes()));
    return Lease<T>(this, std::move(made), std::move(memory));
}

template<class T> void ContextPool::takeBack(std::vector<std::unique_ptr<T>> &idle, std::unique_ptr<T> context)
{
    Compressors dropC;
    Decompressors dropD;
    std::lock_guard lock(m_mutex);
    --m_lent;
    idle.push_back(std::move(context));
    trimLocked(dropC, dropD);
}

ContextPool::Lease<Compressor> ContextPool::compressor(const CodecSpec &spec, QString *error)
{
    return lend(
        m_idleCompressors, [&](const Compressor &c) { return c.spec() == spec; },
        [&] { return makeCompressor(spec, error); });
}

ContextPool::Lease<Decompressor> ContextPool::decompressor(CodecId id, QString *error)
{
    return lend(
        m_idleDecompressors, [&](const Decompressor &d) { return d.id() == id; },
        [&] { return makeDecompressor(id, error); });
}

void ContextPool::giveBack(std::unique_ptr<Compressor> context, MemoryGuard memory)
{
    memory = MemoryGuard(); // counted while lent only
    takeBack(m_idleCompressors, std::move(context));
}

void ContextPool::giveBack(std::unique_ptr<Decompressor> context, MemoryGuard memory)
{
    memory = MemoryGuard(); // counted while lent only
    takeBack(m_idleDecompressors, std::move(context));
}

void ContextPool::clear()
{
    Compressors dropC;
    Decompressors dropD;
    std::lock_guard lock(m_mutex);
    dropC.swap(m_idleCompressors);
    dropD.swap(m_idleDecompressors);
}

int ContextPool::live() const
{
    std::lock_guard lock(m_mutex);
    return m_lent + int(m_idleCompressors.size() + m_idleDecompressors.size());
}

int ContextPool::peakLive() const
{
    std::lock_guard lock(m_mutex);
    return m_peak;
}

} // namespace flowgate
