// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Compiled with flowgate_core's usage requirements only. It must NOT compile:
// the core links Qt Core, so no Widgets header is on its include path.
#include <QWidget>

int layeringProbe()
{
    QWidget w;
    return w.isVisible() ? 1 : 0;
}
