// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QString>
#include <QtGlobal>

namespace flowgate {

/// Background mode for worker threads (Linux): drops the CPU priority (nice 19)
/// and the I/O priority (ioprio idle class) of the CALLING thread only. Linux
/// keeps both per thread, so other threads of the process, the GUI thread
/// included, are not affected.
///
/// Usage: a worker calls enter() when the job starts in background mode and
/// restore() with what enter() saved before the thread goes back to its pool.
///
/// Privileges: entering needs none (raising nice and the idle I/O class are
/// allowed to everyone). Restoring a lower nice value than the current one
/// (19 -> 0) needs CAP_SYS_NICE or an RLIMIT_NICE of at least 20 - nice, which
/// ordinary users usually lack; restore() then fails with an error that says
/// so, after putting the I/O priority back. A thread that cannot be restored
/// should be retired rather than reused for foreground work.
///
/// Restoring the I/O priority writes back the raw ioprio_get() value. A thread
/// that never had an explicit I/O priority reads as class 0 (none: "follow the
/// nice value") on current kernels, and writing 0 back keeps that meaning.
///
/// Thread safety: every function acts on the calling thread only and may be
/// called from any thread at any time.
class BackgroundPriority final
{
public:
    BackgroundPriority() = delete;

    /// What enter() found, for restore().
    struct Saved
    {
        int nice = 0;   ///< getpriority() value, -20..19
        int ioprio = 0; ///< raw ioprio_get() value (class << 13 | level)
    };

    /// Saves the calling thread's nice and I/O priority to \a previous (may be
    /// null), then sets nice 19 and the idle I/O class. On failure returns
    /// false and, if \a error is not null, says which call failed and why;
    /// \a previous is filled as soon as both values were read, so a caller
    /// may restore() after a partial failure.
    [[nodiscard]] static bool enter(Saved *previous, QString *error);

    /// Puts back the nice value and the I/O priority enter() saw. Tries both
    /// even if one fails. See the class comment for the privileges lowering
    /// nice needs.
    [[nodiscard]] static bool restore(const Saved &previous, QString *error);

    /// getpriority(PRIO_PROCESS, gettid()): the calling thread's nice value.
    [[nodiscard]] static int currentNice();
    /// The raw ioprio_get(IOPRIO_WHO_PROCESS, gettid()) value of the calling
    /// thread; -1 if the call failed.
    [[nodiscard]] static int currentIoPriority();
    /// The class of a raw I/O priority: 0 none, 1 real-time, 2 best-effort,
    /// 3 idle; -1 for a negative (failed) raw value.
    [[nodiscard]] static int ioPriorityClass(int raw);
};

} // namespace flowgate
