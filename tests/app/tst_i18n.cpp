// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The German translation loads, and no visible string of the main window
// stays English: the window is built once without and once with the German
// translator, and every visible text of the second (labels, buttons, actions
// and menus, combo box items, spin boxes, placeholders, dock titles, table
// headers, chart titles, axis titles and series names) must differ from the
// same text of the first, unless it is made only of words that German spells
// the same (codec names, units, CPU, I/O, ...).
//
// The .qm is compiled from translations/flowgate_de.ts into this test's
// resources (tests/app/CMakeLists.txt), at the path the app uses. Set
// FLOWGATE_DUMP_TEXTS=1 to print both walks.

#include "apptesthelpers.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QToolButton>
#include <QTranslator>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QAbstractSeries>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

using namespace flowgate;
using namespace flowgate::apptest;

namespace {

struct VisibleText
{
    QString where;
    QString text;
};

QString describe(const QObject *o)
{
    QString name = o->objectName();
    if (const auto *button = qobject_cast<const QToolButton *>(o); button && button->defaultAction())
        name = button->defaultAction()->objectName();
    for (const QObject *p = o->parent(); name.isEmpty() && p; p = p->parent())
        if (!p->objectName().isEmpty())
            name = QStringLiteral("in ") + p->objectName();
    return QStringLiteral("%1 %2").arg(QString::fromLatin1(o->metaObject()->className()), name);
}

/// Every visible text of the window, in a fixed order (the same for two
/// windows built the same way).
QList<VisibleText> visibleTexts(MainWindow &window)
{
    QList<VisibleText> out;
    QHash<QString, int> seen;
    const auto add = [&out, &seen](const QString &where, const QString &text) {
        if (!text.trimmed().isEmpty())
            out.append({QStringLiteral("%1 #%2").arg(where).arg(seen[where]++), text});
    };
    add(QStringLiteral("window title"), window.windowTitle());
    for (const QWidget *w : window.findChildren<QWidget *>()) {
        if (!w->isVisibleTo(&window))
            continue;
        const QString where = describe(w);
        if (const auto *label = qobject_cast<const QLabel *>(w))
            add(where, label->text());
        else if (const auto *button = qobject_cast<const QAbstractButton *>(w))
            add(where, button->text());
        else if (const auto *combo = qobject_cast<const QComboBox *>(w))
            for (int i = 0; i < combo->count(); ++i)
                add(where + QStringLiteral(" item %1").arg(i), combo->itemText(i));
        else if (const auto *spin = qobject_cast<const QAbstractSpinBox *>(w))
            add(where, spin->text());
        else if (const auto *edit = qobject_cast<const QLineEdit *>(w)) {
            if (!qobject_cast<const QAbstractSpinBox *>(edit->parentWidget()))
                add(where + QStringLiteral(" placeholder"), edit->placeholderText());
        } else if (const auto *dock = qobject_cast<const QDockWidget *>(w))
            add(where + QStringLiteral(" title"), dock->windowTitle());
        else if (const auto *header = qobject_cast<const QHeaderView *>(w)) {
            if (header->orientation() == Qt::Horizontal && header->model())
                for (int s = 0; s < header->count(); ++s)
                    add(where + QStringLiteral(" section %1").arg(s),
                        header->model()->headerData(s, Qt::Horizontal).toString());
        } else if (const auto *view = qobject_cast<const QChartView *>(w)) {
            const QChart *chart = view->chart();
            add(where + QStringLiteral(" chart title"), chart->title());
            for (const QAbstractAxis *axis : chart->axes())
                add(where + QStringLiteral(" axis title"), axis->titleText());
            for (const QAbstractSeries *series : chart->series())
                add(where + QStringLiteral(" series"), series->name());
        }
    }
    // Actions: menus, menu entries, toolbar entries, dock and toolbar toggles.
    for (const QAction *a : window.findChildren<QAction *>())
        add(describe(a), a->text());
    // The queue's cells (one queued row).
    const QueueModel *model = window.queueModel();
    for (int r = 0; r < model->rowCount(); ++r)
        add(QStringLiteral("queue row %1 state").arg(r),
            model->data(model->index(r, QueueModel::StateColumn)).toString());
    return out;
}

/// True if German writes this text like English: every word is a name, a
/// unit or an abbreviation the translation keeps.
bool sameInGerman(const QString &text)
{
    static const QSet<QString> words = {
        QStringLiteral("zstd"),
        QStringLiteral("lz4"),
        QStringLiteral("xz"),
        QStringLiteral("gzip"),
        QStringLiteral("Token"),
        QStringLiteral("MiB"),
        QStringLiteral("KiB"),
        QStringLiteral("GiB"),
        QStringLiteral("MB/s"),
        QStringLiteral("ms"),
        QStringLiteral("s"),
        QStringLiteral("SHA-256"),
        QStringLiteral("CSV"),
        QStringLiteral("PNG"),
        QStringLiteral("ChaCha20-Poly1305"),
        QStringLiteral("AES-256-GCM"),
        QStringLiteral("NVMe"),
        QStringLiteral("SSD"),
        QStringLiteral("HDD"),
        QStringLiteral("CPU"),
        QStringLiteral("I/O"),
        QStringLiteral("P50"),
        QStringLiteral("P95"),
        QStringLiteral("P99"),
        QStringLiteral("Flowgate"),
        // Words German uses as they are.
        QStringLiteral("Auto"),
        QStringLiteral("Start"),
        QStringLiteral("Pause"),
        QStringLiteral("Demo"),
        QStringLiteral("Passphrase"),
        QStringLiteral("Export"),
        QStringLiteral("Tuning"),
    };
    static const QRegularExpression separators(QStringLiteral("[\\s(),:;…&]+"));
    static const QRegularExpression letter(QStringLiteral("\\p{L}"));
    const QStringList parts = QString(text).remove(u'&').split(separators, Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (!part.contains(letter))
            continue; // numbers, %, punctuation
        if (!words.contains(part))
            return false;
    }
    return true;
}

} // namespace

class TranslationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void allowListKeepsOnlyNames();
    void germanTranslationCoversVisibleStrings();

private:
    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
};

void TranslationTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
    m_dialogs = std::make_unique<DialogRecorder>();
}

void TranslationTest::cleanup()
{
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
}

void TranslationTest::allowListKeepsOnlyNames()
{
    QVERIFY(sameInGerman(QStringLiteral("zstd")));
    QVERIFY(sameInGerman(QStringLiteral("CPU P95")));
    QVERIFY(sameInGerman(QStringLiteral("I/O %")));
    QVERIFY(sameInGerman(QStringLiteral("%1 MiB")));
    QVERIFY(sameInGerman(QStringLiteral("NVMe (24 I/O tokens)")) == false);
    QVERIFY(!sameInGerman(QStringLiteral("Queued")));
    QVERIFY(!sameInGerman(QStringLiteral("&Add Files…")));
    QVERIFY(!sameInGerman(QStringLiteral("ms (log)")));
}

void TranslationTest::germanTranslationCoversVisibleStrings()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("queued.txt"));
    QVERIFY(writeFile(file, "queued"));

    // English: no translator.
    auto english = makeWindow();
    QVERIFY(english);
    QCOMPARE(english->addPaths({file}), QStringList());
    const QList<VisibleText> source = visibleTexts(*english);
    english.reset();

    QTranslator translator;
    QVERIFY(QFile::exists(QStringLiteral(":/i18n/flowgate_de.qm")));
    QVERIFY(translator.load(QStringLiteral(":/i18n/flowgate_de.qm")));
    QVERIFY(!translator.isEmpty());
    QVERIFY2(translator.language().startsWith(QStringLiteral("de")), qPrintable(translator.language()));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    // The app's own lookup (main.cpp): the German locale finds the same file.
    QTranslator byLocale;
    QVERIFY(byLocale.load(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("flowgate"), QStringLiteral("_"),
        QStringLiteral(":/i18n")));

    auto german = makeWindow();
    QVERIFY(german);
    QCOMPARE(german->addPaths({file}), QStringList());
    const QList<VisibleText> translated = visibleTexts(*german);
    german.reset();
    QCoreApplication::removeTranslator(&translator);

    if (qEnvironmentVariableIsSet("FLOWGATE_DUMP_TEXTS")) {
        for (const VisibleText &t : source)
            qInfo("en %s: %s", qPrintable(t.where), qPrintable(t.text));
        for (const VisibleText &t : translated)
            qInfo("de %s: %s", qPrintable(t.where), qPrintable(t.text));
    }
    // Pair the texts by where they are. German texts are longer: a toolbar
    // button that overflows into the toolbar's extension menu is not
    // visible in the German window (its action's text is still checked).
    QHash<QString, QString> germanByPlace;
    for (const VisibleText &t : translated)
        germanByPlace.insert(t.where, t.text);
    QStringList untranslated;
    int paired = 0;
    for (const VisibleText &t : source) {
        const auto it = germanByPlace.constFind(t.where);
        if (it == germanByPlace.constEnd())
            continue;
        ++paired;
        if (*it == t.text && !sameInGerman(t.text))
            untranslated << QStringLiteral("%1: \"%2\"").arg(t.where, t.text);
    }
    QCOMPARE(paired, translated.size()); // nothing German without an English twin
    QVERIFY(paired > 100); // the walk saw the whole window
    QVERIFY2(untranslated.isEmpty(),
        qPrintable(
            QStringLiteral("%1 visible strings stay English:\n").arg(untranslated.size()) + untranslated.join(u'\n')));
}

QTEST_MAIN(TranslationTest)
#include "tst_i18n.moc"
