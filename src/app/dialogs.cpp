// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "dialogs.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowgate {

std::function<QString(const QString &, const QString &)> Dialogs::saveFileNameHook;
std::function<QStringList(const QString &)> Dialogs::openFileNamesHook;
std::function<QString(const QString &)> Dialogs::existingDirectoryHook;
std::function<QString(bool)> Dialogs::passphraseHook;
std::function<void(const QString &, const QString &)> Dialogs::warningHook;
std::function<bool(const QString &, const QString &)> Dialogs::questionHook;

QString Dialogs::saveFileName(QWidget *parent, const QString &caption, const QString &suggested, const QString &filter)
{
    if (saveFileNameHook)
        return saveFileNameHook(caption, suggested);
    return QFileDialog::getSaveFileName(parent, caption, suggested, filter);
}

QStringList Dialogs::openFileNames(QWidget *parent, const QString &caption, const QString &filter, const QString &start)
{
    if (openFileNamesHook)
        return openFileNamesHook(caption);
    return QFileDialog::getOpenFileNames(parent, caption, start, filter);
}

QString Dialogs::existingDirectory(QWidget *parent, const QString &caption, const QString &start)
{
    if (existingDirectoryHook)
        return existingDirectoryHook(caption);
    return QFileDialog::getExistingDirectory(parent, caption, start);
}

QString Dialogs::passphrase(QWidget *parent, bool confirm)
{
    if (passphraseHook)
        return passphraseHook(confirm);
    QDialog dialog(parent);
    dialog.setWindowTitle(QDialog::tr("Passphrase"));
    auto *form = new QFormLayout;
    auto *first = new QLineEdit(&dialog);
    first->setEchoMode(QLineEdit::Password);
    first->setAccessibleName(QDialog::tr("Passphrase"));
    auto *second = new QLineEdit(&dialog);
    second->setEchoMode(QLineEdit::Password);
    second->setAccessibleName(QDialog::tr("Repeat the passphrase"));
    form->addRow(QDialog::tr("&Passphrase:"), first);
    if (confirm)
        form->addRow(QDialog::tr("&Repeat:"), second);
    auto *hint
        = new QLabel(confirm ? QDialog::tr("Without this passphrase the files cannot be restored. It is never stored.")
                             : QDialog::tr("The passphrase the files were packed with."),
            &dialog);
    hint->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    const auto validate = [&] {
        buttons->button(QDialogButtonBox::Ok)
            ->setEnabled(!first->text().isEmpty() && (!confirm || first->text() == second->text()));
    };
    QObject::connect(first, &QLineEdit::textChanged, &dialog, validate);
    QObject::connect(second, &QLineEdit::textChanged, &dialog, validate);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    validate();
    if (dialog.exec() != QDialog::Accepted)
        return {};
    return first->text();
}

void Dialogs::warning(QWidget *parent, const QString &title, const QString &text)
{
    if (warningHook) {
        warningHook(title, text);
        return;
    }
    QMessageBox::warning(parent, title, text);
}

bool Dialogs::question(QWidget *parent, const QString &title, const QString &text)
{
    if (questionHook)
        return questionHook(title, text);
    return QMessageBox::question(parent, title, text) == QMessageBox::Yes;
}

} // namespace flowgate
