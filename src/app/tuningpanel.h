// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/resourceconfig.h"
#include "pipeline/jobtypes.h"

#include <QWidget>

#include <memory>

namespace Ui {
class TuningPanel;
}

namespace flowgate {

/// The tuning panel: mode, storage type (with the detected one), sliders for
/// CPU tokens, I/O tokens, per-file workers and files in flight, chunk size,
/// memory limits, codec and level, cipher, key source, background mode and the
/// output folder. Every governor knob is emitted as it moves, so the running
/// governor follows at once.
class TuningPanel final : public QWidget
{
    Q_OBJECT

public:
    enum class KeySourceChoice { Keychain, Passphrase };

    explicit TuningPanel(QWidget *parent = nullptr);
    ~TuningPanel() override;

    JobMode mode() const;
    StorageType storageType() const;
    int cpuTokens() const;
    int ioTokens() const;
    int perFileWorkers() const;
    int filesInFlight() const;
    quint32 chunkSize() const; ///< 0 = automatic
    qint64 memorySoftLimit() const;
    qint64 memoryHardLimit() const;
    CodecSpec codec() const;
    CipherId cipher() const;
    KeySourceChoice keySource() const;
    bool backgroundMode() const;
    QString outputFolder() const;

    void setCpuTokens(int value);
    void setIoTokens(int value);
    void setStorageType(StorageType type);
    void setDetectedStorage(const QString &text);
    void setMode(JobMode mode);
    void setCipher(CipherId cipher);
    void setKeySource(KeySourceChoice source);
    void setOutputFolder(const QString &folder);
    void setChunkSize(quint32 bytes);

    /// Restores / saves every control (QSettings group "tuning").
    void loadSettings();
    void saveSettings() const;

    static int defaultCpuTokens();

Q_SIGNALS:
    void cpuTokensChanged(int value);
    void ioTokensChanged(int value);
    void storageTypeChanged(flowgate::StorageType type);
    void perFileWorkersChanged(int value);
    void filesInFlightChanged(int value);
    void memoryLimitsChanged(qint64 soft, qint64 hard);
    void backgroundModeChanged(bool on);
    void modeChanged(flowgate::JobMode mode);
    void outputFolderChanged(const QString &folder);

private:
    void updateLevelRange();
    void updateValueLabels();

    std::unique_ptr<Ui::TuningPanel> m_ui;
    bool m_settingStorage = false;
};

} // namespace flowgate
