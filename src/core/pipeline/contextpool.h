// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"
#include "governor/memoryguard.h"

#include <QString>
#include <QtGlobal>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace flowgate {

class Governor;

/// The codec contexts of the workers, lent out per chunk rather than kept
/// one per pool thread. A worker borrows one while it holds a CPU permit, so
/// no more exist at once than CPU permits in use; between chunks at most one
/// per CPU token is kept for reuse, and the engine drops those when nothing
/// runs. A context's memory (zstd -19 keeps up to about 80 MiB, xz -9 about
/// 670 MiB) counts in the governor's gauge while a worker uses it, as it stood
/// after its last use; the few kept idle between chunks are not counted, so
/// a paused run shows no memory in use. Thread-safe.
class ContextPool final
{
public:
    template<class T> class Lease
    {
    public:
        Lease() = default;
        Lease(Lease &&other) noexcept
            : m_pool(std::exchange(other.m_pool, nullptr))
            , m_context(std::move(other.m_context))
            , m_memory(std::move(other.m_memory))
        { }
        Lease &operator=(Lease &&other) noexcept
        {
            giveBack();
            m_pool = std::exchange(other.m_pool, nullptr);
            m_context = std::move(other.m_context);
            m_memory = std::move(other.m_memory);
            return *this;
        }
        ~Lease() { giveBack(); }
        Q_DISABLE_COPY(Lease)

        T *operator->() const { return m_context.get(); }
        T *get() const { return m_context.get(); }
        explicit operator bool() const { return m_context != nullptr; }

    private:
        friend class ContextPool;
        Lease(ContextPool *pool, std::unique_ptr<T> context, MemoryGuard memory)
            : m_pool(pool)
            , m_context(std::move(context))
            , m_memory(std::move(memory))
        { }
        void giveBack()
        {
            if (m_pool && m_context)
                m_pool->giveBack(std::move(m_context), std::move(m_memory));
            m_pool = nullptr;
        }

        ContextPool *m_pool = nullptr;
        std::unique_ptr<T> m_context;
        MemoryGuard m_memory;
    };

    explicit ContextPool(Governor &governor);
    ~ContextPool();
    Q_DISABLE_COPY_MOVE(ContextPool)

    /// A compressor for spec: an idle one, or a new one. Empty (and *error
    /// set) if the codec cannot make one.
    [[nodiscard]] Lease<Compressor> compressor(const CodecSpec &spec, QString *error);
    [[nodiscard]] Lease<Decompressor> decompressor(CodecId id, QString *error);

    /// Drops the idle contexts (the engine does when nothing runs).
    void clear();
    /// Contexts that exist now (lent and idle), and the most there were.
    [[nodiscard]] int live() const;
    [[nodiscard]] int peakLive() const;

private:
    using Compressors = std::vector<std::unique_ptr<Compressor>>;
    using Decompressors = std::vector<std::unique_ptr<Decompressor>>;

    template<class T, class Matches, class Make>
    Lease<T> lend(std::vector<std::unique_ptr<T>> &idle, Matches matches, Make make);
    template<class T> void takeBack(std::vector<std::unique_ptr<T>> &idle, std::unique_ptr<T> context);
    void giveBack(std::unique_ptr<Compressor> context, MemoryGuard memory);
    void giveBack(std::unique_ptr<Decompressor> context, MemoryGuard memory);
    /// Drops the oldest idle contexts until idle ones and lent ones together
    /// are no more than the CPU tokens; the dropped ones go to the caller to
    /// be destroyed without the lock (lock held).
    void trimLocked(Compressors &dropC, Decompressors &dropD);

    Governor &m_governor;
    mutable std::mutex m_mutex;
    Compressors m_idleCompressors; ///< oldest first
    Decompressors m_idleDecompressors;
    int m_lent = 0;
    int m_peak = 0;
};

} // namespace flowgate
