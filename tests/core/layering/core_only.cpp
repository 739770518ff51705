// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The control: the same set-up with a Core header compiles.
#include "governor/governor.h"

#include <QObject>

int layeringControl()
{
    QObject o;
    return o.objectName().size();
}
