// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/storagedetector.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QStringList>

#include <cerrno>
#include <system_error>
#include <utility>

#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace flowgate {

namespace {

/// Stacked devices (dm on md on partitions...) are followed at most this deep;
/// it also ends a cyclic slaves/ link in a broken tree.
constexpr int kMaxStackDepth = 8;

QString kindName(StorageType::Kind kind)
{
    switch (kind) {
    case StorageType::Kind::NVMe: return QStringLiteral("NVMe");
    case StorageType::Kind::SSD: return QStringLiteral("SSD");
    case StorageType::Kind::HDD: return QStringLiteral("HDD");
    case StorageType::Kind::Auto: return QStringLiteral("Auto");
    case StorageType::Kind::Custom: return QStringLiteral("Custom");
    }
    return QStringLiteral("Auto");
}

QString errorText(int error)
{
    return QString::fromStdString(std::generic_category().message(error));
}

QString deviceNumber(quint32 major, quint32 minor)
{
    return QString::number(major) + QLatin1Char(':') + QString::number(minor);
}

StorageDetection autoDetection(QString device, QString reason)
{
    return StorageDetection{StorageType::Kind::Auto, std::move(device), std::move(reason)};
}

/// The first line of a small sysfs attribute, trimmed. \a ok is set to false
/// (and an empty array returned) when the attribute cannot be opened.
QByteArray readAttribute(const QString &path, bool *ok)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *ok = false;
        return {};
    }
    *ok = true;
    return file.readLine(64).trimmed();
}

/// The file system type of the mount whose device number is major:minor, from
/// /proc/self/mountinfo ("36 35 0:27 / /dev/shm rw - tmpfs tmpfs rw"); empty
/// if none matches. procfs never blocks, unlike statfs() on a network mount.
QString fileSystemTypeOf(quint32 major, quint32 minor)
{
    QFile mountInfo(QStringLiteral("/proc/self/mountinfo"));
    if (!mountInfo.open(QIODevice::ReadOnly))
        return {};
    const QByteArray wanted = deviceNumber(major, minor).toLatin1();
    // procfs reports a size of 0, so atEnd() cannot be trusted: read to EOF.
    const QList<QByteArray> lines = mountInfo.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.trimmed().split(' ');
        if (fields.size() < 9 || fields.at(2) != wanted)
            continue;
        // Optional fields (6, 7, ...) end with a lone "-"; the type follows it.
        for (qsizetype i = 6; i + 1 < fields.size(); ++i) {
            if (fields.at(i) == "-")
                return QString::fromUtf8(fields.at(i + 1));
        }
    }
    return {};
}

bool looksVirtual(const QString &name, const QString &diskPath)
{
    return name.startsWith(QLatin1String("vd")) || name.startsWith(QLatin1String("xvd"))
        || diskPath.contains(QLatin1String("/virtio"));
}

} // namespace

StorageDetector::StorageDetector(QString sysfsRoot)
    : m_sysfsRoot(QDir::cleanPath(sysfsRoot))
{
}

StorageDetection StorageDetector::detectForPath(const QString &path) const
{
    if (path.isEmpty())
        return autoDetection({}, QStringLiteral("empty path"));

    // Walk up to the nearest existing ancestor: the output file of a job may
    // not exist yet, but the directory it goes to decides the device.
    QString current = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    struct stat status {};
    for (;;) {
        const QByteArray native = QFile::encodeName(current);
        if (::stat(native.constData(), &status) == 0)
            break;
        const int error = errno;
        const QString parent = QFileInfo(current).absolutePath();
        if ((error != ENOENT && error != ENOTDIR) || parent == current) {
            return autoDetection({}, current + QStringLiteral(": stat() failed: ") + errorText(error));
        }
        current = parent;
    }

    const quint32 major = ::major(status.st_dev);
    const quint32 minor = ::minor(status.st_dev);
    if (major == 0) {
        // Anonymous device: tmpfs, overlay, proc, NFS, CIFS, FUSE, btrfs subvolumes.
        const QString type = fileSystemTypeOf(major, minor);
        return autoDetection({}, (type.isEmpty() ? deviceNumber(major, minor) : type)
                                     + QStringLiteral(": no block device"));
    }
    return detectForDevice(major, minor);
}

StorageDetection StorageDetector::detectForDevice(quint32 major, quint32 minor) const
{
    const QString number = deviceNumber(major, minor);
    if (major == 0)
        return autoDetection({}, number + QStringLiteral(": no block device"));

    const QString link = m_sysfsRoot + QStringLiteral("/dev/block/") + number;
    const QString node = resolveInsideRoot(link);
    if (node.isEmpty())
        return autoDetection({}, number + QStringLiteral(": unknown block device (no ") + link + QLatin1Char(')'));
    return classifyNode(node, 0);
}

QString StorageDetector::resolveInsideRoot(const QString &linkPath) const
{
    const QString root = QFileInfo(m_sysfsRoot).canonicalFilePath();
    const QString target = QFileInfo(linkPath).canonicalFilePath();
    if (root.isEmpty() || target.isEmpty())
        return {};
    if (root == QLatin1String("/") || target == root || target.startsWith(root + QLatin1Char('/')))
        return target;
    return {}; // an absolute or escaping link: not part of this sysfs tree
}

StorageDetection StorageDetector::classifyNode(const QString &nodePath, int depth) const
{
    // A partition is a subdirectory of its disk and has a "partition" file;
    // queue/ and slaves/ live on the whole disk.
    if (QFileInfo::exists(nodePath + QStringLiteral("/partition")))
        return classifyDisk(QFileInfo(nodePath).absolutePath(), depth);
    return classifyDisk(nodePath, depth);
}

StorageDetection StorageDetector::classifyDisk(const QString &diskPath, int depth) const
{
    const QString name = QFileInfo(diskPath).fileName();
    if (depth > kMaxStackDepth)
        return autoDetection(name, name + QStringLiteral(": device stack too deep (or cyclic)"));

    // Device-mapper, md, bcache...: the kind is that of the devices below.
    const QDir slavesDir(diskPath + QStringLiteral("/slaves"));
    const QStringList slaves =
        slavesDir.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    if (!slaves.isEmpty()) {
        QList<StorageDetection> below;
        below.reserve(slaves.size());
        for (const QString &slave : slaves) {
            const QString resolved = resolveInsideRoot(slavesDir.filePath(slave));
            if (resolved.isEmpty()) {
                return autoDetection(name, name + QStringLiteral(": cannot resolve slave ") + slave);
            }
            StorageDetection detection = classifyNode(resolved, depth + 1);
            if (detection.kind == StorageType::Kind::Auto)
                return autoDetection(name, name + QStringLiteral(" over ") + detection.reason);
            below.append(std::move(detection));
        }

        QStringList devices;
        bool agree = true;
        for (const StorageDetection &detection : std::as_const(below)) {
            if (!devices.contains(detection.device))
                devices.append(detection.device);
            agree = agree && detection.kind == below.first().kind;
        }
        if (!agree) {
            QStringList parts;
            for (const StorageDetection &detection : std::as_const(below)) {
                const QString part = detection.device + QStringLiteral(": ") + kindName(detection.kind);
                if (!parts.contains(part))
                    parts.append(part);
            }
            return autoDetection(name, name + QStringLiteral(": slaves disagree (")
                                           + parts.join(QStringLiteral(", ")) + QLatin1Char(')'));
        }
        const StorageType::Kind kind = below.first().kind;
        if (devices.size() == 1)
            return StorageDetection{kind, name, name + QStringLiteral(" over ") + below.first().reason};
        QString reason = name + QStringLiteral(" over ") + devices.join(QStringLiteral(", "))
            + QStringLiteral(": all ") + kindName(kind);
        if (kind == StorageType::Kind::HDD)
            reason += QStringLiteral(" (queue/rotational = 1; virtual disks often claim this; override if wrong)");
        return StorageDetection{kind, name, reason};
    }

    if (name.startsWith(QLatin1String("nvme")))
        return StorageDetection{StorageType::Kind::NVMe, name, name + QStringLiteral(": NVMe device")};
    if (name.startsWith(QLatin1String("loop")))
        return autoDetection(name, name + QStringLiteral(": loop device; the storage of its backing file is unknown"));
    if (name.startsWith(QLatin1String("nbd")))
        return autoDetection(name, name + QStringLiteral(": network block device"));

    bool ok = false;
    const QByteArray rotational = readAttribute(diskPath + QStringLiteral("/queue/rotational"), &ok);
    if (!ok)
        return autoDetection(name, name + QStringLiteral(": queue/rotational missing"));
    if (rotational == "0")
        return StorageDetection{StorageType::Kind::SSD, name, name + QStringLiteral(": queue/rotational = 0")};
    if (rotational == "1") {
        if (looksVirtual(name, diskPath)) {
            return StorageDetection{StorageType::Kind::HDD, name,
                                    name + QStringLiteral(": queue/rotational = 1, but this looks like a virtual disk;"
                                                          " the host's storage decides (override if wrong)")};
        }
        return StorageDetection{StorageType::Kind::HDD, name,
                                name + QStringLiteral(": queue/rotational = 1 (virtual disks often claim this;"
                                                      " override if wrong)")};
    }
    return autoDetection(name, name + QStringLiteral(": unexpected queue/rotational \"")
                                   + QString::fromLatin1(rotational) + QLatin1Char('"'));
}

} // namespace flowgate
