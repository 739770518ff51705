// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/keychainsecretstore.h"

#include <QCoreApplication>
#include <QEvent>
#include <QObject>
#include <QThread>
#include <qt6keychain/keychain.h>

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <utility>

namespace flowgate {

namespace {

/// The wake-up event for the keychain thread.
QEvent::Type drainEventType()
{
    static const QEvent::Type type = QEvent::Type(QEvent::registerEventType());
    return type;
}

/// Lives in the keychain thread and runs the task queue whenever an event
/// reaches it (wake-ups, in practice: nothing else is sent to it). It does
/// not even look at the event: so no field the posting thread wrote is read
/// here outside Qt (see KeychainThread on ThreadSanitizer).
class KeychainContext final : public QObject
{
public:
    explicit KeychainContext(std::function<void()> drain)
        : m_drain(std::move(drain))
    { }

    bool event(QEvent *event) override
    {
        m_drain(); // a no-op when the queue is empty
        return QObject::event(event);
    }

private:
    std::function<void()> m_drain;
};

/// The one thread that runs every QtKeychain job in this process, with its
/// own event loop (on Linux Qt's GLib dispatcher, whose per-thread main
/// context is also where libsecret delivers its callbacks).
///
/// Work is handed over through a queue under a std::mutex, and the event
/// posted to wake the thread carries no data (a plain QEvent, no functor):
/// so the hand-off is visible to ThreadSanitizer, which cannot see Qt's own
/// (uninstrumented) locking.
class KeychainThread final
{
public:
    static KeychainThread &instance()
    {
        static KeychainThread thread; // thread-safe initialisation
        return thread;
    }

    ~KeychainThread()
    {
        // Runs at exit. The context object is deleted in the thread as it
        // finishes (deleteLater on finished).
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(KeychainThread)

    const QThread *thread() const { return &m_thread; }

    /// Runs task on the keychain thread, soon, in order.
    void post(std::function<void()> task)
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        QCoreApplication::postEvent(m_context, new QEvent(drainEventType()));
    }

private:
    KeychainThread()
        : m_context(new KeychainContext([this] { drain(); }))
    {
        m_thread.setObjectName(QStringLiteral("flowgate-keychain"));
        m_context->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
        // Wait until the thread runs: QThread emits started() (directly, in
        // the new thread) after it created its event dispatcher, so the
        // first job is never posted to a half-built thread.
        std::promise<void> running;
        std::future<void> isRunning = running.get_future();
        const QMetaObject::Connection connection
            = QObject::connect(&m_thread, &QThread::started, [&running] { running.set_value(); });
        m_thread.start();
        isRunning.wait();
        QObject::disconnect(connection);
    }

    void drain()
    {
        for (;;) {
            std::function<void()> task;
            {
                const std::lock_guard<std::mutex> lock(m_mutex);
                if (m_tasks.empty())
                    return;
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            task();
        }
    }

    QThread m_thread;
    QObject *m_context;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_tasks;
};

void warnIfGuiThread()
{
    const QCoreApplication *app = QCoreApplication::instance();
    if (app && QThread::currentThread() == app->thread() && app->inherits("QGuiApplication")) {
        qWarning("flowgate: KeychainSecretStore called on the GUI thread; it blocks until the "
                 "keychain answers. Call it from a worker thread.");
    }
}

bool isUtf8Text(const QByteArray &bytes)
{
    if (bytes.contains('\0'))
        return false;
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

QString entryText(const QString &service, const QString &account)
{
    return QStringLiteral("service \"%1\", account \"%2\"").arg(service, account);
}

} // namespace

KeychainSecretStore::KeychainSecretStore(std::chrono::milliseconds timeout)
    : m_timeout(timeout.count() > 0 ? timeout : kDefaultTimeout)
{ }

KeychainSecretStore::~KeychainSecretStore() = default;

QString KeychainSecretStore::description() const
{
    return QStringLiteral("the OS keychain (Secret Service)");
}

SecretStore::ErrorKind KeychainSecretStore::classify(int qtKeychainError, const QString &errorString)
{
    switch (qtKeychainError) {
    case QKeychain::NoError:
        return ErrorKind::None;
    case QKeychain::EntryNotFound:
        return ErrorKind::NotFound;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return ErrorKind::NoService;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return ErrorKind::Locked;
    default:
        break;
    }
    const auto has = [&errorString](const char *needle) {
        return errorString.contains(QLatin1String(needle), Qt::CaseInsensitive);
    };
    // No bus, or a bus without anyone owning org.freedesktop.secrets.
    if (has("not provided by any .service files") || has("Cannot autolaunch D-Bus") || has("Could not connect")
        || has("Failed to connect") || has("ServiceUnknown") || has("NoServer") || has("D-Bus is not running")
        || has("No keychain service") || has("Unknown or unsupported transport"))
        return ErrorKind::NoService;
    // A keyring that is locked, or that has no default ("login") collection
    // because it was never unlocked/created: "Object does not exist at path
    // /org/freedesktop/secrets/collection/login".
    if (has("locked") || has("/collection/") || has("prompt") || has("dismissed"))
        return ErrorKind::Locked;
    if (has("Timeout was reached") || has("timed out") || has("NoReply"))
        return ErrorKind::Timeout;
    return ErrorKind::Other;
}

SecretStore::Result KeychainSecretStore::read(const QString &service, const QString &account)
{
    return run(Operation::Read, service, account, {});
}

SecretStore::Result KeychainSecretStore::write(const QString &service, const QString &account, const QByteArray &secret)
{
    return run(Operation::Write, service, account, secret);
}

SecretStore::Result KeychainSecretStore::remove(const QString &service, const QString &account)
{
    return run(Operation::Remove, service, account, {});
}

SecretStore::Result KeychainSecretStore::run(
    Operation op, const QString &service, const QString &account, const QByteArray &secret)
{
    KeychainThread &worker = KeychainThread::instance();
    if (QThread::currentThread() == worker.thread()) {
        return Result::failure(
            ErrorKind::Other, describe(ErrorKind::Other, QStringLiteral("called on the keychain thread itself")));
    }
    warnIfGuiThread();

    // Shared with the job: if we stop waiting, the job still completes into
    // a promise nobody reads, and frees everything then.
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> future = promise->get_future();

    worker.post([promise, op, service, account, secret]() {
        QKeychain::Job *job = nullptr;
        switch (op) {
        case Operation::Read:
            job = new QKeychain::ReadPasswordJob(service);
            break;
        case Operation::Write: {
            auto *write = new QKeychain::WritePasswordJob(service);
            if (isUtf8Text(secret))
                write->setTextData(QString::fromUtf8(secret));
            else
                write->setBinaryData(secret);
            job = write;
            break;
        }
        case Operation::Remove:
            job = new QKeychain::DeletePasswordJob(service);
            break;
        }
        job->setKey(account);
        job->setAutoDelete(true); // deleteLater() once finished
        job->setInsecureFallback(false); // never store in clear
        QObject::connect(job, &QKeychain::Job::finished, job, [promise, op, service, account](QKeychain::Job *done) {
            const int code = done->error();
            if (code == QKeychain::NoError) {
                QByteArray data;
                if (op == Operation::Read) {
                    if (auto *reader = qobject_cast<QKeychain::ReadPasswordJob *>(done))
                        data = reader->binaryData();
                }
                promise->set_value(Result::success(std::move(data)));
                return;
            }
            const ErrorKind kind = classify(code, done->errorString());
            if (kind == ErrorKind::NotFound && op == Operation::Remove) {
                promise->set_value(Result::success());
                return;
            }
            if (kind == ErrorKind::NotFound) {
                promise->set_value(Result::failure(
                    kind, QStringLiteral("The OS keychain has no entry for %1.").arg(entryText(service, account))));
                return;
            }
            const QString detail = QStringLiteral("%1; QtKeychain error %2: %3")
                                       .arg(entryText(service, account))
                                       .arg(code)
                                       .arg(done->errorString());
            promise->set_value(Result::failure(kind, describe(kind, detail)));
        });
        job->start();
    });
    if (future.wait_for(m_timeout) != std::future_status::ready) {
        const QString detail = QStringLiteral("%1; no answer within %2 s")
                                   .arg(entryText(service, account))
                                   .arg(double(m_timeout.count()) / 1000.0);
        return Result::failure(ErrorKind::Timeout, describe(ErrorKind::Timeout, detail));
    }
    return future.get();
}

} // namespace flowgate
