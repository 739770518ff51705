// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/backgroundpriority.h"

#include <QFile>
#include <QScopeGuard>
#include <QTest>

#include <cerrno>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using flowgate::BackgroundPriority;

namespace {

constexpr int kIoprioWhoProcess = 1;
constexpr int kClassIdle = 3;
constexpr auto kStepTimeout = std::chrono::seconds(30);

// Read another thread's values from outside it, independently of the code under test.
int niceOf(pid_t tid)
{
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    return (nice == -1 && errno != 0) ? -1000 : nice;
}

int ioprioOf(pid_t tid)
{
    return static_cast<int>(::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid));
}

/// Field 19 (nice) of /proc/self/task/<tid>/stat; -1000 if unreadable.
int procNiceOf(pid_t tid)
{
    QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1000;
    const QByteArray line = stat.readAll();
    // The command name (field 2) is in parentheses and may contain spaces.
    const qsizetype end = line.lastIndexOf(')');
    if (end < 0)
        return -1000;
    const QList<QByteArray> fields = line.mid(end + 2).split(' '); // fields[0] is field 3
    constexpr int kNiceField = 19;
    if (fields.size() <= kNiceField - 3)
        return -1000;
    bool ok = false;
    const int nice = fields.at(kNiceField - 3).toInt(&ok);
    return ok ? nice : -1000;
}

/// Drops CAP_SYS_NICE from the calling thread's effective set (capabilities
/// are per thread on Linux; the raw syscall, unlike glibc's setuid family,
/// does not broadcast to the other threads).
bool dropSysNiceForThisThread()
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    data[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
    return ::syscall(SYS_capset, &header, data) == 0;
}

/// A std::thread that runs its steps one at a time on command from the test,
/// so the test can look at it from outside between steps. The thread stays
/// alive (its tid valid) until the object is destroyed, which joins it.
class SteppedThread final
{
public:
    explicit SteppedThread(std::vector<std::function<void()>> steps)
        : m_steps(std::move(steps))
    {
        // All futures are taken before the thread starts.
        m_go.resize(m_steps.size());
        m_done.resize(m_steps.size());
        for (std::size_t i = 0; i < m_steps.size(); ++i) {
            m_goFutures.push_back(m_go[i].get_future());
            m_doneFutures.push_back(m_done[i].get_future());
        }
        m_thread = std::thread([this, released = m_release.get_future()] {
            m_tid = ::gettid();
            for (std::size_t i = 0; i < m_steps.size(); ++i) {
                m_goFutures[i].wait();
                if (m_abandoned)
                    return;
                m_steps[i]();
                m_done[i].set_value();
            }
            released.wait();
        });
    }
    ~SteppedThread()
    {
        m_abandoned = m_next < m_steps.size();
        for (; m_next < m_steps.size(); ++m_next)
            m_go[m_next].set_value();
        m_release.set_value();
        m_thread.join();
    }
    Q_DISABLE_COPY_MOVE(SteppedThread)

    /// Runs the next step on the thread; false if it did not finish in time.
    [[nodiscard]] bool step()
    {
        const std::size_t i = m_next++;
        m_go[i].set_value();
        return m_doneFutures[i].wait_for(kStepTimeout) == std::future_status::ready;
    }

    /// Valid after the first step() returned.
    pid_t tid() const { return m_tid; }

private:
    std::vector<std::function<void()>> m_steps;
    std::vector<std::promise<void>> m_go;
    std::vector<std::promise<void>> m_done;
    std::vector<std::future<void>> m_goFutures;   // waited on by the thread
    std::vector<std::future<void>> m_doneFutures; // waited on by the test
    std::promise<void> m_release;
    std::size_t m_next = 0;
    bool m_abandoned = false; // written before the go signals that publish it
    pid_t m_tid = 0;
    std::thread m_thread;
};

} // namespace

class TestBackgroundPriority final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ioPriorityClass_data();
    void ioPriorityClass();
    void currentValuesMatchOutsideView();
    void enterAndRestoreActOnCallingThreadOnly();
    void enterWithoutSavedState();
    void restoreWithoutCapSysNiceExplainsWhy();
};

void TestBackgroundPriority::ioPriorityClass_data()
{
    // Values as <linux/ioprio.h> builds them: class << 13 | level.
    QTest::addColumn<int>("raw");
    QTest::addColumn<int>("expected");
    QTest::newRow("none") << 0 << 0;
    QTest::newRow("rt level 0") << (1 << 13) << 1;
    QTest::newRow("be level 4") << ((2 << 13) | 4) << 2;
    QTest::newRow("be level 7") << ((2 << 13) | 7) << 2;
    QTest::newRow("idle") << (3 << 13) << 3;
    QTest::newRow("error") << -1 << -1;
}

void TestBackgroundPriority::ioPriorityClass()
{
    QFETCH(int, raw);
    QFETCH(int, expected);
    QCOMPARE(BackgroundPriority::ioPriorityClass(raw), expected);
}

void TestBackgroundPriority::currentValuesMatchOutsideView()
{
    const pid_t tid = ::gettid();
    QCOMPARE(BackgroundPriority::currentNice(), niceOf(tid));
    QCOMPARE(BackgroundPriority::currentNice(), procNiceOf(tid));
    QCOMPARE(BackgroundPriority::currentIoPriority(), ioprioOf(tid));
    QVERIFY(BackgroundPriority::currentIoPriority() >= 0);
}

void TestBackgroundPriority::enterAndRestoreActOnCallingThreadOnly()
{
    const pid_t mainTid = ::gettid();
    const int mainNice = BackgroundPriority::currentNice();
    const int mainIoprio = BackgroundPriority::currentIoPriority();
    QVERIFY(mainIoprio >= 0);
    QVERIFY2(mainNice < 19, "the test needs a main thread that is not already at nice 19");

    BackgroundPriority::Saved saved;
    bool entered = false;
    bool restored = false;
    QString enterError;
    QString restoreError;
    int niceBefore = 0;
    int ioprioBefore = 0;
    int niceInside = 0;
    int ioprioInside = 0;

    SteppedThread worker({
        [&] {
            niceBefore = BackgroundPriority::currentNice();
            ioprioBefore = BackgroundPriority::currentIoPriority();
            entered = BackgroundPriority::enter(&saved, &enterError);
            niceInside = BackgroundPriority::currentNice();
            ioprioInside = BackgroundPriority::currentIoPriority();
        },
        [&] { restored = BackgroundPriority::restore(saved, &restoreError); },
    });

    // Entered: the worker is in background mode, seen from inside and outside.
    QVERIFY(worker.step());
    const pid_t tid = worker.tid();
    QVERIFY(tid != mainTid);
    QVERIFY2(entered, qPrintable(enterError));
    QCOMPARE(saved.nice, niceBefore);
    QCOMPARE(saved.ioprio, ioprioBefore);
    QCOMPARE(niceInside, 19);
    QCOMPARE(BackgroundPriority::ioPriorityClass(ioprioInside), kClassIdle);
    QCOMPARE(niceOf(tid), 19);
    QCOMPARE(procNiceOf(tid), 19);
    QCOMPARE(BackgroundPriority::ioPriorityClass(ioprioOf(tid)), kClassIdle);

    // ...and the main thread is not.
    QCOMPARE(BackgroundPriority::currentNice(), mainNice);
    QCOMPARE(procNiceOf(mainTid), mainNice);
    QCOMPARE(BackgroundPriority::currentIoPriority(), mainIoprio);
    QVERIFY(BackgroundPriority::ioPriorityClass(mainIoprio) != kClassIdle);

    // Restored: both values are back to what enter() saw.
    QVERIFY(worker.step());
    QVERIFY2(restored, qPrintable(restoreError));
    QCOMPARE(niceOf(tid), niceBefore);
    QCOMPARE(procNiceOf(tid), niceBefore);
    QCOMPARE(ioprioOf(tid), ioprioBefore);
    QCOMPARE(BackgroundPriority::currentNice(), mainNice);
    QCOMPARE(BackgroundPriority::currentIoPriority(), mainIoprio);
}

void TestBackgroundPriority::enterWithoutSavedState()
{
    // Both out-parameters may be null; the thread still goes to background.
    bool entered = false;
    int nice = 0;
    int ioClass = 0;
    SteppedThread worker({[&] {
        entered = BackgroundPriority::enter(nullptr, nullptr);
        nice = BackgroundPriority::currentNice();
        ioClass = BackgroundPriority::ioPriorityClass(BackgroundPriority::currentIoPriority());
    }});
    QVERIFY(worker.step());
    QVERIFY(entered);
    QCOMPARE(nice, 19);
    QCOMPARE(ioClass, kClassIdle);
}

void TestBackgroundPriority::restoreWithoutCapSysNiceExplainsWhy()
{
    // What an unprivileged user meets: without CAP_SYS_NICE and with
    // RLIMIT_NICE 0, nice 19 cannot go back down. Real kernel behaviour: the
    // worker drops the capability from its own thread only.
    rlimit original{};
    QCOMPARE(::getrlimit(RLIMIT_NICE, &original), 0);
    rlimit none = original;
    none.rlim_cur = 0;
    QCOMPARE(::setrlimit(RLIMIT_NICE, &none), 0);
    const auto resetLimit = qScopeGuard([&] { ::setrlimit(RLIMIT_NICE, &original); });

    const int mainNice = BackgroundPriority::currentNice();
    BackgroundPriority::Saved saved;
    bool dropped = false;
    bool entered = false;
    bool restored = true;
    QString enterError;
    QString restoreError;
    int niceAfter = 0;
    int ioprioAfter = 0;

    SteppedThread worker({[&] {
        dropped = dropSysNiceForThisThread();
        entered = BackgroundPriority::enter(&saved, &enterError);
        restored = BackgroundPriority::restore(saved, &restoreError);
        niceAfter = BackgroundPriority::currentNice();
        ioprioAfter = BackgroundPriority::currentIoPriority();
    }});
    QVERIFY(worker.step());
    QVERIFY(dropped);
    QVERIFY2(entered, qPrintable(enterError));
    QVERIFY2(saved.nice < 19, "the worker must start below nice 19");

    QVERIFY(!restored);
    QVERIFY2(restoreError.contains(QStringLiteral("setpriority(PRIO_PROCESS, ")), qPrintable(restoreError));
    QVERIFY2(restoreError.contains(QStringLiteral("CAP_SYS_NICE")), qPrintable(restoreError));
    QVERIFY2(restoreError.contains(QStringLiteral("RLIMIT_NICE")), qPrintable(restoreError));
    QCOMPARE(niceAfter, 19);
    // The I/O priority needs no privilege and was put back regardless.
    QCOMPARE(ioprioAfter, saved.ioprio);
    QVERIFY(BackgroundPriority::ioPriorityClass(ioprioAfter) != kClassIdle);
    // The main thread, which kept its capability, is untouched.
    QCOMPARE(BackgroundPriority::currentNice(), mainNice);
}

QTEST_GUILESS_MAIN(TestBackgroundPriority)
#include "tst_backgroundpriority.moc"
