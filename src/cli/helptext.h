// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QString>

namespace flowgate::cli {

/// A sub-command's --help text. QCommandLineParser names the program in its
/// "Usage:" line by the executable's full path; a newcomer should read
/// "Usage: flowgate-cli pack [options] PATH..." instead. \a program is the
/// sub-command's arguments().first(), which main() sets to "flowgate-cli <command>".
inline QString subcommandHelp(const QCommandLineParser &parser, const QString &program)
{
    QString text = parser.helpText();
    const QString executable = QCoreApplication::arguments().value(0);
    const QString usage = QStringLiteral("Usage: ");
    if (!executable.isEmpty() && text.startsWith(usage + executable))
        text.replace(usage.size(), executable.size(), program);
    return text;
}

} // namespace flowgate::cli
