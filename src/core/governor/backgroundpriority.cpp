// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/backgroundpriority.h"

#include <QStringList>

#include <cerrno>
#include <system_error>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace flowgate {

namespace {

// From <linux/ioprio.h>; glibc wraps neither ioprio_get nor ioprio_set.
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassMask = 0x07;
constexpr int kIoprioClassIdle = 3;
constexpr int kIoprioWhoProcess = 1; // "process" is a thread id here

constexpr int kBackgroundNice = 19;

QString errorText(int error)
{
    return QString::fromStdString(std::generic_category().message(error));
}

/// "ioprio_set(IOPRIO_WHO_PROCESS, 1234, 24576): <strerror>".
QString ioprioFailure(const char *call, pid_t tid, const QString &value, int error)
{
    return QString::fromLatin1(call) + QStringLiteral("(IOPRIO_WHO_PROCESS, ") + QString::number(tid)
        + (value.isEmpty() ? QString() : QString(QStringLiteral(", ") + value)) + QStringLiteral("): ")
        + errorText(error);
}

void setError(QString *error, const QStringList &messages)
{
    if (error)
        *error = messages.join(QStringLiteral("; "));
}

int ioprioGet(pid_t tid)
{
    return static_cast<int>(::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid));
}

int ioprioSet(pid_t tid, int ioprio)
{
    return static_cast<int>(::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, ioprio));
}

/// getpriority() may legitimately return -1, so errors are told by errno.
bool readNice(pid_t tid, int *nice, QString *message)
{
    errno = 0;
    const int value = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    if (value == -1 && errno != 0) {
        const int error = errno;
        *message = QStringLiteral("getpriority(PRIO_PROCESS, ") + QString::number(tid) + QStringLiteral("): ")
            + errorText(error);
        return false;
    }
    *nice = value;
    return true;
}

bool writeNice(pid_t tid, int nice, int from, QString *message)
{
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) == 0)
        return true;
    const int error = errno;
    *message = QStringLiteral("setpriority(PRIO_PROCESS, ") + QString::number(tid) + QStringLiteral(", ")
        + QString::number(nice) + QStringLiteral("): ") + errorText(error);
    if ((error == EACCES || error == EPERM) && nice < from) {
        *message += QStringLiteral(" (lowering nice from ") + QString::number(from) + QStringLiteral(" to ")
            + QString::number(nice) + QStringLiteral(" needs CAP_SYS_NICE or RLIMIT_NICE >= ")
            + QString::number(20 - nice) + QLatin1Char(')');
    }
    return false;
}

} // namespace

bool BackgroundPriority::enter(Saved *previous, QString *error)
{
    const pid_t tid = ::gettid();
    QString message;

    Saved saved;
    if (!readNice(tid, &saved.nice, &message)) {
        setError(error, {message});
        return false;
    }
    saved.ioprio = ioprioGet(tid);
    if (saved.ioprio == -1) {
        const int failure = errno;
        setError(error, {ioprioFailure("ioprio_get", tid, QString(), failure)});
        return false;
    }
    if (previous)
        *previous = saved;

    QStringList failures;
    if (!writeNice(tid, kBackgroundNice, saved.nice, &message))
        failures.append(message);
    const int idle = kIoprioClassIdle << kIoprioClassShift;
    if (ioprioSet(tid, idle) != 0) {
        const int failure = errno;
        failures.append(ioprioFailure("ioprio_set", tid, QStringLiteral("IOPRIO_CLASS_IDLE << 13"), failure));
    }
    if (!failures.isEmpty()) {
        setError(error, failures);
        return false;
    }
    return true;
}

bool BackgroundPriority::restore(const Saved &previous, QString *error)
{
    const pid_t tid = ::gettid();
    QStringList failures;

    // The I/O priority first and independently: going back to class none or
    // best-effort needs no privileges (only a real-time class would), so it is
    // put back even when lowering nice is refused.
    if (ioprioSet(tid, previous.ioprio) != 0) {
        const int failure = errno;
        failures.append(ioprioFailure("ioprio_set", tid, QString::number(previous.ioprio), failure));
    }

    QString message;
    int now = 0;
    if (!readNice(tid, &now, &message))
        failures.append(message);
    else if (now != previous.nice && !writeNice(tid, previous.nice, now, &message))
        failures.append(message);

    if (!failures.isEmpty()) {
        setError(error, failures);
        return false;
    }
    return true;
}

int BackgroundPriority::currentNice()
{
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
}

int BackgroundPriority::currentIoPriority()
{
    return ioprioGet(::gettid());
}

int BackgroundPriority::ioPriorityClass(int raw)
{
    if (raw < 0)
        return -1;
    return (raw >> kIoprioClassShift) & kIoprioClassMask;
}

} // namespace flowgate
