// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "pipeline/filemapping.h"

#include <cerrno>
#include <csignal>
#include <mutex>

#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; older kernels answer EINVAL and packing reads with pread()
#endif

namespace flowgate {

namespace {

/// One mapping's address range, readable from a signal handler. Changed
/// only by the slot's owner, under a sequence count (odd while it changes),
/// so a handler never takes one mapping's begin with another's end.
struct Slot
{
    std::atomic<bool> used{false};
    std::atomic<unsigned> sequence{0};
    std::atomic<std::uintptr_t> begin{0};
    std::atomic<std::uintptr_t> end{0};
    std::atomic<bool> damaged{false};

    void set(std::uintptr_t b, std::uintptr_t e)
    {
        sequence.fetch_add(1, std::memory_order_acq_rel); // odd: changing
        begin.store(b, std::memory_order_relaxed);
        end.store(e, std::memory_order_relaxed);
        sequence.fetch_add(1, std::memory_order_release); // even: stable
    }
    /// The range, or false while it changes.
    bool read(std::uintptr_t *b, std::uintptr_t *e) const
    {
        const unsigned before = sequence.load(std::memory_order_acquire);
        if (before & 1u)
            return false;
        // Acquire loads: the second count is read after them, not before.
        *b = begin.load(std::memory_order_acquire);
        *e = end.load(std::memory_order_acquire);
        return sequence.load(std::memory_order_relaxed) == before;
    }
};

Slot g_slots[FileMapping::kMaxMappings];
std::uintptr_t g_pageSize = 4096;
struct sigaction g_previous = {};
std::once_flag g_installed;
std::atomic<bool> g_noPopulate{false}; // the kernel has no MADV_POPULATE_READ

void onBusError(int signal, siginfo_t *info, void *context)
{
    const int savedErrno = errno;
    // Only a fault (si_code > 0) has an address; a SIGBUS sent with kill()
    // goes where it would have gone without this handler.
    const auto address = info->si_code > 0 ? reinterpret_cast<std::uintptr_t>(info->si_addr) : 0;
    for (Slot &slot : g_slots) {
        std::uintptr_t begin = 0, end = 0;
        if (address == 0 || !slot.read(&begin, &end) || begin == 0 || address < begin || address >= end)
            continue;
        // Pages of the file that are gone: zeros in their place, from this
        // one to the end of the mapping (the file is shorter from here on),
        // and the access is retried on return.
        const std::uintptr_t page = address & ~(g_pageSize - 1);
        if (::mmap(
                reinterpret_cast<void *>(page), end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            != MAP_FAILED) {
            slot.damaged.store(true, std::memory_order_release);
            errno = savedErrno;
            return;
        }
        break;
    }
    // Not one of ours (or no zero page to be had): whoever handled it before.
    if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
        g_previous.sa_sigaction(signal, info, context);
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN
        && g_previous.sa_handler != nullptr) {
        g_previous.sa_handler(signal);
    } else if (g_previous.sa_handler != SIG_IGN || info->si_code > 0) {
        // The default action: raised again, pending until this returns, and
        // the process ends with SIGBUS as it would have without this handler.
        struct sigaction fallback = {};
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        ::sigaction(SIGBUS, &fallback, nullptr);
        ::raise(SIGBUS);
    }
    errno = savedErrno;
}

bool installHandler()
{
    static bool ok = false;
    std::call_once(g_installed, [] {
        g_pageSize = std::uintptr_t(::sysconf(_SC_PAGESIZE));
        struct sigaction action = {};
        action.sa_sigaction = onBusError;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&action.sa_mask);
        ok = ::sigaction(SIGBUS, &action, &g_previous) == 0;
    });
    return ok;
}

int claimSlot()
{
    for (int i = 0; i < FileMapping::kMaxMappings; ++i) {
        bool expected = false;
        if (g_slots[i].used.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
            return i;
    }
    return -1;
}

} // namespace

std::unique_ptr<FileMapping> FileMapping::map(int fd, quint64 offset, std::size_t size)
{
    if (size == 0 || g_noPopulate.load(std::memory_order_relaxed) || !installHandler())
        return nullptr;
    const int slot = claimSlot();
    if (slot < 0)
        return nullptr;
    const quint64 delta = offset % g_pageSize;
    const std::size_t length = size + std::size_t(delta);
    void *base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, off_t(offset - delta));
    if (base == MAP_FAILED) {
        g_slots[slot].used.store(false, std::memory_order_release);
        return nullptr;
    }
    // Reads the whole range in now (from the disk if need be), so nothing
    // waits for the disk later; fails where a page lies past the end of the
    // file or cannot be read.
    if (::madvise(base, length, MADV_POPULATE_READ) != 0) {
        if (errno == EINVAL)
            g_noPopulate.store(true, std::memory_order_relaxed); // before Linux 5.14: pread() from now on
        ::munmap(base, length);
        g_slots[slot].used.store(false, std::memory_order_release);
        return nullptr;
    }
    Slot &s = g_slots[slot];
    s.damaged.store(false, std::memory_order_relaxed);
    s.set(reinterpret_cast<std::uintptr_t>(base), reinterpret_cast<std::uintptr_t>(base) + length);
    return std::unique_ptr<FileMapping>(
        new FileMapping(base, length, static_cast<const std::uint8_t *>(base) + delta, size, slot));
}

FileMapping::FileMapping(void *base, std::size_t length, const std::uint8_t *data, std::size_t size, int slot)
    : m_base(base)
    , m_length(length)
    , m_data(data)
    , m_size(size)
    , m_slot(slot)
{ }

FileMapping::~FileMapping()
{
    Slot &s = g_slots[m_slot];
    s.set(0, 0);
    ::munmap(m_base, m_length);
    s.used.store(false, std::memory_order_release);
}

bool FileMapping::damaged() const
{
    return g_slots[m_slot].damaged.load(std::memory_order_acquire);
}

} // namespace flowgate
