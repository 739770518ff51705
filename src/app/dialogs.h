// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

class QWidget;

namespace flowgate {

/// Every modal question the app asks goes through here, so tests can answer
/// it without a dialog on screen (set the matching hook; leave it empty for
/// the real dialog).
struct Dialogs
{
    static QString saveFileName(
        QWidget *parent, const QString &caption, const QString &suggested, const QString &filter);
    static QStringList openFileNames(
        QWidget *parent, const QString &caption, const QString &filter, const QString &start = QString());
    static QString existingDirectory(QWidget *parent, const QString &caption, const QString &start);
    /// Returns the passphrase, or an empty string if the user cancelled.
    static QString passphrase(QWidget *parent, bool confirm);
    static void warning(QWidget *parent, const QString &title, const QString &text);
    /// Yes/No question; true for yes.
    static bool question(QWidget *parent, const QString &title, const QString &text);

    // Test hooks.
    static std::function<QString(const QString &caption, const QString &suggested)> saveFileNameHook;
    static std::function<QStringList(const QString &caption)> openFileNamesHook;
    static std::function<QString(const QString &caption)> existingDirectoryHook;
    static std::function<QString(bool confirm)> passphraseHook;
    static std::function<void(const QString &title, const QString &text)> warningHook;
    static std::function<bool(const QString &title, const QString &text)> questionHook;
};

} // namespace flowgate
