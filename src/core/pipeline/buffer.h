// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "pipeline/filemapping.h"

#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace flowgate {

/// A chunk buffer whose bytes are never zero-filled: the pipeline always
/// writes before it reads, and zero-filling 64 MiB per chunk would cost a full
/// extra pass over memory. Or a read-only view of an input file (a
/// FileMapping). Move-only.
class Buffer
{
public:
    /// Where a buffer's memory starts: a page, as direct I/O wants.
    static constexpr std::size_t kAlignment = 4096;

    Buffer() = default;
    /// kAlignment-aligned, so restore can write it to the disk directly (O_DIRECT).
    explicit Buffer(std::size_t capacity)
        : m_data(capacity ? new (std::align_val_t(kAlignment)) std::uint8_t[capacity] : nullptr) // not zeroed
        , m_capacity(capacity)
    { }
    /// A read-only view of an input file's bytes instead of memory of its own.
    explicit Buffer(std::unique_ptr<FileMapping> mapping)
        : m_mapping(std::move(mapping))
        , m_capacity(m_mapping ? m_mapping->size() : 0)
        , m_size(m_capacity)
    { }
    Buffer(Buffer &&other) noexcept
        : m_data(std::move(other.m_data))
        , m_mapping(std::move(other.m_mapping))
        , m_capacity(std::exchange(other.m_capacity, 0))
        , m_size(std::exchange(other.m_size, 0))
    { }
    Buffer &operator=(Buffer &&other) noexcept
    {
        m_data = std::move(other.m_data);
        m_mapping = std::move(other.m_mapping);
        m_capacity = std::exchange(other.m_capacity, 0);
        m_size = std::exchange(other.m_size, 0);
        return *this;
    }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    /// Null for a file mapping, which is never written to.
    std::uint8_t *data() { return m_data.get(); }
    const std::uint8_t *data() const { return m_mapping ? m_mapping->data() : m_data.get(); }
    std::size_t capacity() const { return m_capacity; }
    std::size_t size() const { return m_size; }
    void setSize(std::size_t size) { m_size = size; }
    bool isMapping() const { return m_mapping != nullptr; }
    /// A file mapping that lost pages because the file shrank (FileMapping::damaged()).
    bool damaged() const { return m_mapping && m_mapping->damaged(); }

private:
    struct AlignedDelete
    {
        void operator()(std::uint8_t *p) const { ::operator delete[](p, std::align_val_t(kAlignment)); }
    };
    std::unique_ptr<std::uint8_t[], AlignedDelete> m_data;
    std::unique_ptr<FileMapping> m_mapping;
    std::size_t m_capacity = 0;
    std::size_t m_size = 0;
};

/// Keeps a few released buffers for reuse, so big chunks do not go back to
/// the kernel and fault in again for every chunk. Thread-safe.
class BufferPool final
{
public:
    explicit BufferPool(std::size_t maxKept = 8)
        : m_maxKept(maxKept)
    { }
    Q_DISABLE_COPY_MOVE(BufferPool)

    Buffer take(std::size_t capacity)
    {
        {
            std::lock_guard lock(m_mutex);
            for (auto it = m_free.begin(); it != m_free.end(); ++it) {
                if (it->capacity() >= capacity && it->capacity() <= capacity * 2) {
                    Buffer b = std::move(*it);
                    m_free.erase(it);
                    b.setSize(0);
                    return b;
                }
            }
        }
        return Buffer(capacity);
    }

    void give(Buffer &&buffer)
    {
        if (buffer.isMapping()) {
            Buffer unmapped(std::move(buffer)); // nothing to keep: unmapped here
            return;
        }
        if (buffer.capacity() == 0)
            return;
        std::lock_guard lock(m_mutex);
        if (m_free.size() < m_maxKept)
            m_free.push_back(std::move(buffer));
    }

    void clear()
    {
        std::lock_guard lock(m_mutex);
        m_free.clear();
    }

private:
    std::mutex m_mutex;
    std::vector<Buffer> m_free;
    std::size_t m_maxKept;
};

} // namespace flowgate
