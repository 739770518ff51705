// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/resourceconfig.h"

#include <QString>
#include <QtGlobal>

namespace flowgate {

/// What StorageDetector found for a path or a device number.
struct StorageDetection
{
    /// NVMe, SSD, HDD or Auto (never Custom). Auto means "could not tell".
    StorageType::Kind kind = StorageType::Kind::Auto;
    /// The block device that holds the path, as sysfs names it ("nvme0n1",
    /// "sda", "dm-0"); the whole disk, never a partition. Empty when there is
    /// no block device (tmpfs, overlay, network file systems) or it is unknown.
    QString device;
    /// One human-readable line saying why, for the UI and the logs, e.g.
    /// "nvme0n1: NVMe device" or "tmpfs: no block device".
    QString reason;
};

/// Classifies the storage under a path by looking its block device up in
/// sysfs (Linux):
///   - a disk named nvme*                      -> NVMe
///   - queue/rotational = 0                    -> SSD
///   - queue/rotational = 1                    -> HDD (the reason warns that
///     virtual disks often claim this: the user should be able to override)
///   - device-mapper / md / anything with slaves/ -> looked through; all the
///     slaves must agree, else Auto
///   - major 0 (tmpfs, overlay, network, btrfs subvolumes), loop and nbd
///     devices, missing or unexpected sysfs entries -> Auto
///
/// The sysfs root is a parameter so tests can point the detector at a fake
/// tree in a temporary directory. Symbolic links inside that tree must be
/// relative; a link that resolves outside the root is treated as unknown.
///
/// Thread safety: the object is immutable after construction; all members are
/// const and may be called from any number of threads at once. Nothing here
/// throws (apart from std::bad_alloc) and failures end up as Auto with a reason.
/// detectForPath() touches the file system under the path with stat() only
/// (one call when the path exists), so a network mount costs at most that.
class StorageDetector final
{
public:
    explicit StorageDetector(QString sysfsRoot = QStringLiteral("/sys"));

    /// The storage holding \a path. A path that does not exist yet (an output
    /// file about to be created) is looked up through its nearest existing
    /// parent directory. Relative paths are taken relative to the current
    /// working directory.
    [[nodiscard]] StorageDetection detectForPath(const QString &path) const;

    /// The storage behind the device number major:minor, found through the
    /// <sysfsRoot>/dev/block/MAJ:MIN symbolic link. Major 0 is never a block
    /// device and gives Auto.
    [[nodiscard]] StorageDetection detectForDevice(quint32 major, quint32 minor) const;

    [[nodiscard]] QString sysfsRoot() const { return m_sysfsRoot; }

private:
    Q_DISABLE_COPY_MOVE(StorageDetector)

    [[nodiscard]] StorageDetection classifyNode(const QString &nodePath, int depth) const;
    [[nodiscard]] StorageDetection classifyDisk(const QString &diskPath, int depth) const;
    [[nodiscard]] QString resolveInsideRoot(const QString &linkPath) const;

    QString m_sysfsRoot; ///< as given, cleaned; resolved again on every lookup
};

} // namespace flowgate
