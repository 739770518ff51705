// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// flowgate: the desktop app.

#include "chartspanel.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Flowgate"));
    QApplication::setOrganizationName(QStringLiteral("Flowgate"));
    QApplication::setApplicationVersion(QStringLiteral(FLOWGATE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.flowgate.Flowgate"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/flowgate.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Compress, encrypt and checksum files in parallel under a resource governor."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("demo"), QStringLiteral("Generate sample files in a temporary folder and pack them.")},
        {QStringLiteral("screenshot"), QStringLiteral("Save the main window as a PNG to FILE and quit."),
            QStringLiteral("FILE")},
        {QStringLiteral("after"), QStringLiteral("Seconds to wait before the screenshot (default 3)."),
            QStringLiteral("SECONDS")},
        {QStringLiteral("lang"), QStringLiteral("User interface language, e.g. de or en (default: the system's)."),
            QStringLiteral("LANG")},
    });
    parser.addPositionalArgument(
        QStringLiteral("files"), QStringLiteral("Files or folders to queue."), QStringLiteral("[files...]"));
    parser.process(app);

    const QLocale locale
        = parser.isSet(QStringLiteral("lang")) ? QLocale(parser.value(QStringLiteral("lang"))) : QLocale::system();
    QLocale::setDefault(locale);
    QTranslator qtTranslator;
    if (qtTranslator.load(
            locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(locale, QStringLiteral("flowgate"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    flowgate::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty())
        (void)window.addPaths(parser.positionalArguments());
    if (parser.isSet(QStringLiteral("demo")))
        QTimer::singleShot(0, &window, [&window] { window.startDemo(); });
    if (parser.isSet(QStringLiteral("screenshot"))) {
        bool ok = true;
        const double after
            = parser.isSet(QStringLiteral("after")) ? parser.value(QStringLiteral("after")).toDouble(&ok) : 3.0;
        if (!ok || after < 0) {
            std::fprintf(stderr, "flowgate: --after takes a number of seconds\n");
            return 2;
        }
        const QString file = parser.value(QStringLiteral("screenshot"));
        QTimer::singleShot(int(after * 1000), &window, [&window, file] {
            window.chartsPanel()->refresh();
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "flowgate: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
