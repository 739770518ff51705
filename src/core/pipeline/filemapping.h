// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QtGlobal>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace flowgate {

/// A read-only view of part of an input file, read in from the page cache
/// when it is made (MADV_POPULATE_READ) but never copied out of it: packing
/// reads its chunks this way, which saves the copy into a buffer and the page
/// faults of fresh buffers (bench/RESULTS.md).
///
/// A file that shrinks while it is mapped makes every access past its new end
/// raise SIGBUS. A process-wide handler (installed with the first mapping)
/// then puts a page of zeros in place of the missing one and marks the
/// mapping damaged(), so the reader sees zeros and the engine reports the
/// change instead of the process dying (a page that can no longer be read
/// from the disk after the kernel dropped it gives SIGBUS too, and is
/// handled the same way). Faults at other addresses, and a SIGBUS sent with
/// kill(), go to the handler that was there before, or take the default
/// action.
class FileMapping final
{
public:
    /// Maps [offset, offset + size) of fd and reads it in. Null when that
    /// cannot be done: a range past the end of the file, a read error, a file
    /// system without mappings, or too many mappings at once. The caller
    /// then reads with pread(), which also names the precise cause.
    static std::unique_ptr<FileMapping> map(int fd, quint64 offset, std::size_t size);

    ~FileMapping();
    Q_DISABLE_COPY_MOVE(FileMapping)

    const std::uint8_t *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    /// True once a page could not be read (the file shrank): its bytes were
    /// replaced by zeros, so whatever was computed from them is wrong.
    bool damaged() const;

    /// How many mappings may exist at once (one slot each in the handler's
    /// table, which a signal handler can search without locks).
    static constexpr int kMaxMappings = 256;

private:
    FileMapping(void *base, std::size_t length, const std::uint8_t *data, std::size_t size, int slot);

    void *m_base;
    std::size_t m_length;
    const std::uint8_t *m_data;
    std::size_t m_size;
    int m_slot;
};

} // namespace flowgate
