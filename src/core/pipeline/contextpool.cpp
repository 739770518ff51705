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

std::size_t ContextPool::idleRoom() const
{
    const int cap = std::max(1, m_governor.cpuTokensTotal());
    return std::size_t(std::max(0, cap - m_lent));
}

void ContextPool::trimLocked(std::vector<Idle<Compressor>> &dropC, std::vector<Idle<Decompressor>> &dropD)
{
    // Oldest first: the front of each list was given back longest ago.
    const std::size_t room = idleRoom();
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

ContextPool::Lease<Compressor> ContextPool::compressor(const CodecSpec &spec, QString *error)
{
    {
        // Idle ones of other kinds make room first, and are gone before the
        // new one is made.
        std::vector<Idle<Compressor>> dropC;
        std::vector<Idle<Decompressor>> dropD;
        std::lock_guard lock(m_mutex);
        for (auto it = m_idleCompressors.begin(); it != m_idleCompressors.end(); ++it) {
            if (it->context->spec() == spec) {
                std::unique_ptr<Compressor> context = std::move(it->context);
                m_idleCompressors.erase(it);
                ++m_lent;
                MemoryGuard memory = m_governor.trackMemory(qint64(context->memoryBytes()));
                return Lease<Compressor>(this, std::move(context), std::move(memory));
            }
        }
        ++m_lent; // counted before it exists: the trim below makes room for it
        trimLocked(dropC, dropD);
        m_peak = std::max(m_peak, m_lent + int(m_idleCompressors.size() + m_idleDecompressors.size()));
    }
    std::unique_ptr<Compressor> made = makeCompressor(spec, error);
    if (!made) {
        std::lock_guard lock(m_mutex);
        --m_lent;
        return {};
    }
    MemoryGuard memory = m_governor.trackMemory(qint64(made->memoryBytes()));
    return Lease<Compressor>(this, std::move(made), std::move(memory));
}

ContextPool::Lease<Decompressor> ContextPool::decompressor(CodecId id, QString *error)
{
    {
        std::vector<Idle<Compressor>> dropC;
        std::vector<Idle<Decompressor>> dropD;
        std::lock_guard lock(m_mutex);
        for (auto it = m_idleDecompressors.begin(); it != m_idleDecompressors.end(); ++it) {
            if (it->context->id() == id) {
                std::unique_ptr<Decompressor> context = std::move(it->context);
                m_idleDecompressors.erase(it);
                ++m_lent;
                MemoryGuard memory = m_governor.trackMemory(qint64(context->memoryBytes()));
                return Lease<Decompressor>(this, std::move(context), std::move(memory));
            }
        }
        ++m_lent;
        trimLocked(dropC, dropD);
        m_peak = std::max(m_peak, m_lent + int(m_idleCompressors.size() + m_idleDecompressors.size()));
    }
    std::unique_ptr<Decompressor> made = makeDecompressor(id, error);
    if (!made) {
        std::lock_guard lock(m_mutex);
        --m_lent;
        return {};
    }
    MemoryGuard memory = m_governor.trackMemory(qint64(made->memoryBytes()));
    return Lease<Decompressor>(this, std::move(made), std::move(memory));
}

void ContextPool::giveBack(std::unique_ptr<Compressor> context, MemoryGuard memory)
{
    memory = MemoryGuard(); // counted while lent only
    std::vector<Idle<Compressor>> dropC;
    std::vector<Idle<Decompressor>> dropD;
    {
        std::lock_guard lock(m_mutex);
        --m_lent;
        m_idleCompressors.push_back({std::move(context)});
        trimLocked(dropC, dropD);
    }
}

void ContextPool::giveBack(std::unique_ptr<Decompressor> context, MemoryGuard memory)
{
    memory = MemoryGuard(); // counted while lent only
    std::vector<Idle<Compressor>> dropC;
    std::vector<Idle<Decompressor>> dropD;
    {
        std::lock_guard lock(m_mutex);
        --m_lent;
        m_idleDecompressors.push_back({std::move(context)});
        trimLocked(dropC, dropD);
    }
}

void ContextPool::clear()
{
    std::vector<Idle<Compressor>> dropC;
    std::vector<Idle<Decompressor>> dropD;
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
