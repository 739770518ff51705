// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "tuningpanel.h"

#include "dialogs.h"
#include "ui_tuningpanel.h"

#include <QSettings>

#include <algorithm>

namespace flowgate {

namespace {
constexpr int kStorageCustom = 4;
}

int TuningPanel::defaultCpuTokens()
{
    return ResourceConfig::defaultCpuTokens();
}

TuningPanel::TuningPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::TuningPanel>())
{
    m_ui->setupUi(this);
    auto &ui = *m_ui;
    ui.modeComboBox->addItem(tr("Pack (compress, encrypt, checksum)"), int(JobMode::Pack));
    ui.modeComboBox->addItem(tr("Restore"), int(JobMode::Restore));
    ui.modeComboBox->addItem(tr("Verify"), int(JobMode::Verify));

    ui.storageComboBox->addItem(tr("NVMe (24 I/O tokens)"), int(StorageType::Kind::NVMe));
    ui.storageComboBox->addItem(tr("SSD (12)"), int(StorageType::Kind::SSD));
    ui.storageComboBox->addItem(tr("HDD (4)"), int(StorageType::Kind::HDD));
    ui.storageComboBox->addItem(tr("Auto (12)"), int(StorageType::Kind::Auto));
    ui.storageComboBox->addItem(tr("Custom"), int(StorageType::Kind::Custom));
    ui.storageComboBox->setCurrentIndex(3);

    const int cores = ResourceConfig::availableCores();
    ui.cpuTokensSlider->setRange(1, 2 * cores);
    ui.cpuTokensSlider->setTickInterval(1);
    ui.cpuTokensSlider->setValue(defaultCpuTokens());
    ui.cpuTokensSlider->setToolTip(
        tr("1 to %1 (twice the cores); default %2 = cores - 1").arg(2 * cores).arg(defaultCpuTokens()));
    ui.ioTokensSlider->setValue(12);
    ui.perFileWorkersSlider->setValue(4);
    ui.filesInFlightSlider->setValue(4);

    ui.chunkSizeComboBox->addItem(tr("Automatic (by file size)"), 0);
    for (int kib : {64, 256, 1024, 2048, 4096, 16384, 65536})
        ui.chunkSizeComboBox->addItem(kib >= 1024 ? tr("%1 MiB").arg(kib / 1024) : tr("%1 KiB").arg(kib), kib * 1024);

    ui.codecComboBox->addItem(QStringLiteral("zstd"), int(CodecId::Zstd));
    ui.codecComboBox->addItem(QStringLiteral("lz4"), int(CodecId::Lz4));
    ui.codecComboBox->addItem(QStringLiteral("gzip"), int(CodecId::Gzip));
    ui.codecComboBox->addItem(QStringLiteral("xz"), int(CodecId::Xz));
    ui.codecComboBox->addItem(tr("none"), int(CodecId::None));
    ui.cipherComboBox->addItem(QStringLiteral("ChaCha20-Poly1305"), int(CipherId::ChaCha20Poly1305));
    ui.cipherComboBox->addItem(QStringLiteral("AES-256-GCM"), int(CipherId::Aes256Gcm));
    ui.cipherComboBox->addItem(tr("none (no encryption)"), int(CipherId::None));
    ui.keySourceComboBox->addItem(tr("System keychain (master key)"), int(KeySourceChoice::Keychain));
    ui.keySourceComboBox->addItem(tr("Passphrase"), int(KeySourceChoice::Passphrase));
    updateLevelRange();
    ui.levelSpinBox->setValue(3);
    updateValueLabels();

    connect(ui.cpuTokensSlider, &QSlider::valueChanged, this, [this](int v) {
        updateValueLabels();
        Q_EMIT cpuTokensChanged(v);
    });
    connect(ui.ioTokensSlider, &QSlider::valueChanged, this, [this](int v) {
        updateValueLabels();
        if (!m_settingStorage) {
            // Moving the I/O slider by hand makes the storage type Custom(n).
            m_settingStorage = true;
            m_ui->storageComboBox->setCurrentIndex(kStorageCustom);
            m_settingStorage = false;
            Q_EMIT storageTypeChanged(StorageType::custom(v));
        }
        Q_EMIT ioTokensChanged(v);
    });
    connect(ui.storageComboBox, &QComboBox::currentIndexChanged, this, [this](int) {
        if (m_settingStorage)
            return;
        const StorageType type = storageType();
        m_settingStorage = true;
        m_ui->ioTokensSlider->setValue(type.defaultIoTokens());
        m_settingStorage = false;
        updateValueLabels();
        Q_EMIT storageTypeChanged(type);
        Q_EMIT ioTokensChanged(type.defaultIoTokens());
    });
    connect(ui.perFileWorkersSlider, &QSlider::valueChanged, this, [this](int v) {
        updateValueLabels();
        Q_EMIT perFileWorkersChanged(v);
    });
    connect(ui.filesInFlightSlider, &QSlider::valueChanged, this, [this](int v) {
        updateValueLabels();
        Q_EMIT filesInFlightChanged(v);
    });
    const auto memory = [this] { Q_EMIT memoryLimitsChanged(memorySoftLimit(), memoryHardLimit()); };
    connect(ui.memorySoftLimitSpinBox, &QSpinBox::valueChanged, this, memory);
    connect(ui.memoryHardLimitSpinBox, &QSpinBox::valueChanged, this, memory);
    connect(ui.codecComboBox, &QComboBox::currentIndexChanged, this, [this](int) { updateLevelRange(); });
    connect(ui.backgroundCheckBox, &QCheckBox::toggled, this, &TuningPanel::backgroundModeChanged);
    connect(ui.modeComboBox, &QComboBox::currentIndexChanged, this, [this](int) { Q_EMIT modeChanged(mode()); });
    connect(ui.outputFolderLineEdit, &QLineEdit::editingFinished, this,
        [this] { Q_EMIT outputFolderChanged(outputFolder()); });
    connect(ui.outputFolderButton, &QToolButton::clicked, this, [this] {
        const QString dir = Dialogs::existingDirectory(this, tr("Output folder"), outputFolder());
        if (!dir.isEmpty()) {
            setOutputFolder(dir);
            Q_EMIT outputFolderChanged(dir);
        }
    });
}

TuningPanel::~TuningPanel() = default;

void TuningPanel::updateLevelRange()
{
    const auto id = CodecId(m_ui->codecComboBox->currentData().toInt());
    const bool levels = id != CodecId::None && id != CodecId::Lz4;
    m_ui->levelSpinBox->setEnabled(levels);
    if (levels) {
        m_ui->levelSpinBox->setRange(CodecSpec::minLevel(id), CodecSpec::maxLevel(id));
        m_ui->levelSpinBox->setValue(CodecSpec::defaultLevel(id));
    }
}

void TuningPanel::updateValueLabels()
{
    const int cpu = m_ui->cpuTokensSlider->value();
    m_ui->cpuTokensValueLabel->setText(cpu == defaultCpuTokens() ? tr("%1 (default)").arg(cpu) : QString::number(cpu));
    m_ui->ioTokensValueLabel->setText(QString::number(m_ui->ioTokensSlider->value()));
    m_ui->perFileWorkersValueLabel->setText(QString::number(m_ui->perFileWorkersSlider->value()));
    m_ui->filesInFlightValueLabel->setText(QString::number(m_ui->filesInFlightSlider->value()));
}

JobMode TuningPanel::mode() const
{
    return JobMode(m_ui->modeComboBox->currentData().toInt());
}

StorageType TuningPanel::storageType() const
{
    return StorageType::of(
        StorageType::Kind(m_ui->storageComboBox->currentData().toInt()), m_ui->ioTokensSlider->value());
}

int TuningPanel::cpuTokens() const
{
    return m_ui->cpuTokensSlider->value();
}
int TuningPanel::ioTokens() const
{
    return m_ui->ioTokensSlider->value();
}
int TuningPanel::perFileWorkers() const
{
    return m_ui->perFileWorkersSlider->value();
}
int TuningPanel::filesInFlight() const
{
    return m_ui->filesInFlightSlider->value();
}
quint32 TuningPanel::chunkSize() const
{
    return quint32(m_ui->chunkSizeComboBox->currentData().toUInt());
}
qint64 TuningPanel::memorySoftLimit() const
{
    return qint64(m_ui->memorySoftLimitSpinBox->value()) << 20;
}
qint64 TuningPanel::memoryHardLimit() const
{
    return qint64(m_ui->memoryHardLimitSpinBox->value()) << 20;
}

CodecSpec TuningPanel::codec() const
{
    CodecSpec spec;
    spec.id = CodecId(m_ui->codecComboBox->currentData().toInt());
    spec.level = m_ui->levelSpinBox->isEnabled() ? m_ui->levelSpinBox->value() : CodecSpec::defaultLevel(spec.id);
    return spec;
}

CipherId TuningPanel::cipher() const
{
    return CipherId(m_ui->cipherComboBox->currentData().toInt());
}
TuningPanel::KeySourceChoice TuningPanel::keySource() const
{
    return KeySourceChoice(m_ui->keySourceComboBox->currentData().toInt());
}
bool TuningPanel::backgroundMode() const
{
    return m_ui->backgroundCheckBox->isChecked();
}
QString TuningPanel::outputFolder() const
{
    return m_ui->outputFolderLineEdit->text().trimmed();
}

void TuningPanel::setCpuTokens(int value)
{
    m_ui->cpuTokensSlider->setValue(value);
}

void TuningPanel::setIoTokens(int value)
{
    m_ui->ioTokensSlider->setValue(value);
}

void TuningPanel::setStorageType(StorageType type)
{
    const int index = m_ui->storageComboBox->findData(int(type.kind()));
    if (type.kind() == StorageType::Kind::Custom) {
        m_settingStorage = true;
        m_ui->storageComboBox->setCurrentIndex(index);
        m_ui->ioTokensSlider->setValue(type.customTokens());
        m_settingStorage = false;
        updateValueLabels();
        Q_EMIT storageTypeChanged(type);
        Q_EMIT ioTokensChanged(type.customTokens());
    } else {
        m_ui->storageComboBox->setCurrentIndex(index);
    }
}

void TuningPanel::setDetectedStorage(const QString &text)
{
    m_ui->detectedStorageLabel->setText(text);
}

void TuningPanel::setMode(JobMode mode)
{
    m_ui->modeComboBox->setCurrentIndex(m_ui->modeComboBox->findData(int(mode)));
}
void TuningPanel::setCipher(CipherId cipher)
{
    m_ui->cipherComboBox->setCurrentIndex(m_ui->cipherComboBox->findData(int(cipher)));
}
void TuningPanel::setKeySource(KeySourceChoice source)
{
    m_ui->keySourceComboBox->setCurrentIndex(m_ui->keySourceComboBox->findData(int(source)));
}
void TuningPanel::setOutputFolder(const QString &folder)
{
    m_ui->outputFolderLineEdit->setText(folder);
}
void TuningPanel::setChunkSize(quint32 bytes)
{
    const int index = m_ui->chunkSizeComboBox->findData(bytes);
    m_ui->chunkSizeComboBox->setCurrentIndex(std::max(index, 0));
}

void TuningPanel::loadSettings()
{
    QSettings s;
    s.beginGroup(QStringLiteral("tuning"));
    auto &ui = *m_ui;
    ui.modeComboBox->setCurrentIndex(std::clamp(s.value(QStringLiteral("mode"), 0).toInt(), 0, 2));
    const int storage = std::clamp(s.value(QStringLiteral("storage"), 3).toInt(), 0, 4);
    ui.storageComboBox->setCurrentIndex(storage);
    if (storage == kStorageCustom)
        setStorageType(StorageType::custom(s.value(QStringLiteral("ioTokens"), 12).toInt()));
    ui.cpuTokensSlider->setValue(s.value(QStringLiteral("cpuTokens"), defaultCpuTokens()).toInt());
    ui.perFileWorkersSlider->setValue(s.value(QStringLiteral("perFileWorkers"), 4).toInt());
    ui.filesInFlightSlider->setValue(s.value(QStringLiteral("filesInFlight"), 4).toInt());
    setChunkSize(s.value(QStringLiteral("chunkSize"), 0).toUInt());
    ui.memorySoftLimitSpinBox->setValue(s.value(QStringLiteral("memorySoftMiB"), 0).toInt());
    ui.memoryHardLimitSpinBox->setValue(s.value(QStringLiteral("memoryHardMiB"), 0).toInt());
    ui.codecComboBox->setCurrentIndex(
        std::max(0, ui.codecComboBox->findData(s.value(QStringLiteral("codec"), int(CodecId::Zstd)).toInt())));
    ui.levelSpinBox->setValue(s.value(QStringLiteral("level"), ui.levelSpinBox->value()).toInt());
    setCipher(CipherId(s.value(QStringLiteral("cipher"), int(CipherId::ChaCha20Poly1305)).toInt()));
    setKeySource(KeySourceChoice(s.value(QStringLiteral("keySource"), 0).toInt()));
    ui.backgroundCheckBox->setChecked(s.value(QStringLiteral("background"), false).toBool());
    ui.outputFolderLineEdit->setText(s.value(QStringLiteral("outputFolder")).toString());
    updateValueLabels();
}

void TuningPanel::saveSettings() const
{
    QSettings s;
    s.beginGroup(QStringLiteral("tuning"));
    s.setValue(QStringLiteral("mode"), m_ui->modeComboBox->currentIndex());
    s.setValue(QStringLiteral("storage"), m_ui->storageComboBox->currentIndex());
    s.setValue(QStringLiteral("ioTokens"), ioTokens());
    s.setValue(QStringLiteral("cpuTokens"), cpuTokens());
    s.setValue(QStringLiteral("perFileWorkers"), perFileWorkers());
    s.setValue(QStringLiteral("filesInFlight"), filesInFlight());
    s.setValue(QStringLiteral("chunkSize"), chunkSize());
    s.setValue(QStringLiteral("memorySoftMiB"), m_ui->memorySoftLimitSpinBox->value());
    s.setValue(QStringLiteral("memoryHardMiB"), m_ui->memoryHardLimitSpinBox->value());
    s.setValue(QStringLiteral("codec"), int(codec().id));
    s.setValue(QStringLiteral("level"), m_ui->levelSpinBox->value());
    s.setValue(QStringLiteral("cipher"), int(cipher()));
    s.setValue(QStringLiteral("keySource"), int(keySource()));
    s.setValue(QStringLiteral("background"), backgroundMode());
    s.setValue(QStringLiteral("outputFolder"), outputFolder());
}

} // namespace flowgate
