// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "advisor/advisor.h"

#include <QWidget>

class QVBoxLayout;
class QLabel;

namespace flowgate {

/// The advisor's live hints with their evidence; a hint that names one knob
/// with a value gets an "Apply" button.
class AdvisorPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit AdvisorPanel(QWidget *parent = nullptr);

    void setHints(const QList<AdvisorHint> &hints);
    const QList<AdvisorHint> &hints() const { return m_hints; }

Q_SIGNALS:
    void applyRequested(flowgate::Knob knob, int value);

private:
    QList<AdvisorHint> m_hints;
    QVBoxLayout *m_list = nullptr;
    QLabel *m_empty = nullptr;
};

} // namespace flowgate
