// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "advisorpanel.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowgate {

AdvisorPanel::AdvisorPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel(tr("No hints: the governor's settings fit the current work."), this);
    m_empty->setWordWrap(true);
    m_empty->setObjectName(QStringLiteral("advisorEmptyLabel"));
    layout->addWidget(m_empty);
    m_list = new QVBoxLayout;
    layout->addLayout(m_list);
    layout->addStretch();
    setAccessibleName(tr("Advisor hints"));
}

void AdvisorPanel::setHints(const QList<AdvisorHint> &hints)
{
    // Rebuild only when the set of hints changes, so buttons do not flicker.
    bool same = hints.size() == m_hints.size();
    for (int i = 0; same && i < hints.size(); ++i)
        same = hints[i].id == m_hints[i].id && hints[i].suggestedValue == m_hints[i].suggestedValue
            && hints[i].evidence == m_hints[i].evidence;
    if (same)
        return;
    m_hints = hints;
    while (QLayoutItem *item = m_list->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_empty->setVisible(hints.isEmpty());
    for (const AdvisorHint &hint : hints) {
        auto *frame = new QFrame(this);
        frame->setFrameShape(QFrame::StyledPanel);
        auto *v = new QVBoxLayout(frame);
        auto *title = new QLabel(QStringLiteral("<b>%1</b>").arg(hint.title.toHtmlEscaped()), frame);
        auto *evidence = new QLabel(hint.evidence, frame);
        evidence->setWordWrap(true);
        auto *action = new QLabel(hint.action, frame);
        action->setWordWrap(true);
        v->addWidget(title);
        v->addWidget(evidence);
        auto *row = new QHBoxLayout;
        row->addWidget(action, 1);
        if (hint.knob != Knob::None && hint.suggestedValue >= 0) {
            auto *apply = new QPushButton(tr("Apply"), frame);
            apply->setObjectName(QStringLiteral("applyHintButton_") + hint.id);
            apply->setAccessibleName(tr("Apply: %1").arg(hint.action));
            const Knob knob = hint.knob;
            const int value = hint.suggestedValue;
            connect(apply, &QPushButton::clicked, this, [this, knob, value] { Q_EMIT applyRequested(knob, value); });
            row->addWidget(apply);
        }
        v->addLayout(row);
        frame->setAccessibleName(hint.title);
        m_list->addWidget(frame);
    }
}

} // namespace flowgate
